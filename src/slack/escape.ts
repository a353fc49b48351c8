/**
 * Lead-supplied text must never mention, link or ping. In Slack's mrkdwn every control sequence
 * starts with `<`, so escaping `&`, `<` and `>` (in that order) makes any value inert:
 * `<!channel>` shows as the text "<!channel>". Formatting characters (* _ ~ `) cannot be escaped;
 * where they matter, builders use plain_text objects instead.
 */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to Slack's limit for a field, marking the cut with an ellipsis. */
export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
