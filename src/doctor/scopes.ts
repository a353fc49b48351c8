/**
 * The bot scopes manifest.yml asks for (oauth_config.scopes.bot), in its order. A built package
 * cannot count on finding manifest.yml, so the list lives here; test/doctor/scopes.test.ts keeps
 * the two equal.
 */
export const REQUIRED_BOT_SCOPES: readonly string[] = [
  'chat:write',
  'chat:write.public',
  'reactions:read',
  'commands',
  'im:write',
  'users:read',
  'files:write',
  'channels:history',
  'groups:history',
];
