/**
 * Block Kit → HTML for the sandbox page: the block and element types Leadloop sends (header,
 * section with text / fields / accessory, context, actions with buttons and static selects,
 * divider, image, and the input blocks of its modal), and the mrkdwn subset its text uses.
 * Pure: blocks and a context in, an HTML string out. Every piece of text is HTML-escaped, so a
 * campaign named `<script>` shows as text; only `http(s)` links become anchors.
 */

export interface RenderContext {
  /** Display names for `<@U…>` mentions; the id is shown when missing. */
  names?: ReadonlyMap<string, string>;
  /** For `<!date^…>` tokens: "Today" / "Yesterday" are relative to this. */
  now?: number;
  /** IANA zone dates are shown in (the demo's TIMEZONE). */
  timeZone?: string;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Slack escapes only these three in message text; everything else arrives as is. */
function unescapeSlack(value: string): string {
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The shortcodes the bot uses, and a few neighbours a sandbox user may type. */
const EMOJI: Readonly<Record<string, string>> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  no_entry_sign: '🚫',
  warning: '⚠️',
  tada: '🎉',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
  bar_chart: '📊',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  eyes: '👀',
  memo: '📝',
  bell: '🔔',
  fire: '🔥',
};

export function emoji(name: string): string | undefined {
  return EMOJI[name];
}

function emojify(escaped: string): string {
  return escaped.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI[name] ?? whole);
}

function safeUrl(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? url : undefined;
}

function link(url: string, label: string): string {
  const href = safeUrl(url);
  if (!href) return escapeHtml(label);
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function zoned(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
  };
}

/** Slack's `<!date^seconds^format|fallback>`, with the tokens Leadloop uses. */
function formatDate(seconds: number, format: string, context: RenderContext): string {
  const timeZone = context.timeZone ?? 'UTC';
  const ms = seconds * 1000;
  const at = zoned(ms, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  const dayNumber = (z: { year: number; month: number; day: number }) => Date.UTC(z.year, z.month - 1, z.day);
  const short = `${MONTHS[at.month - 1]} ${at.day}${context.now !== undefined && zoned(context.now, timeZone).year === at.year ? '' : `, ${at.year}`}`;
  let pretty = short;
  if (context.now !== undefined) {
    const days = Math.round((dayNumber(zoned(context.now, timeZone)) - dayNumber(at)) / 86_400_000);
    if (days === 0) pretty = 'Today';
    else if (days === 1) pretty = 'Yesterday';
    else if (days === -1) pretty = 'Tomorrow';
  }
  return format
    .replace(/\{date_short_pretty\}|\{date_pretty\}|\{date_long_pretty\}/g, pretty)
    .replace(/\{date_short\}|\{date\}|\{date_long\}/g, short)
    .replace(/\{date_num\}/g, `${at.year}-${pad(at.month)}-${pad(at.day)}`)
    .replace(/\{time\}/g, `${pad(at.hour)}:${pad(at.minute)}`)
    .replace(/\{time_secs\}/g, `${pad(at.hour)}:${pad(at.minute)}:00`);
}

/** One `<…>` token: a link, a mention, a special mention or a date. */
function angleToken(inner: string, context: RenderContext): string {
  const [target = '', ...labelParts] = inner.split('|');
  const label = labelParts.length > 0 ? unescapeSlack(labelParts.join('|')) : undefined;
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = label ?? context.names?.get(id) ?? id;
    return `<span class="mention">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith('#')) {
    return `<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, seconds, format = '{date}'] = target.split('^');
    const value = Number(seconds);
    return Number.isFinite(value)
      ? `<time>${escapeHtml(formatDate(value, unescapeSlack(format), context))}</time>`
      : escapeHtml(label ?? '');
  }
  if (target.startsWith('!subteam^')) return `<span class="mention">@${escapeHtml(label ?? 'group')}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const url = unescapeSlack(target);
  return link(url, label ?? url);
}

/** *bold*, _italic_, ~strike~ on already-escaped text (word-bounded, as Slack does). */
function emphasis(escaped: string): string {
  return escaped
    .replace(/(^|[\s(>])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s).,:;!?<])/g, '$1<b>$2</b>')
    .replace(/(^|[\s(>])_(\S(?:[^_\n]*\S)?)_(?=$|[\s).,:;!?<])/g, '$1<i>$2</i>')
    .replace(/(^|[\s(>])~(\S(?:[^~\n]*\S)?)~(?=$|[\s).,:;!?<])/g, '$1<s>$2</s>');
}

/** Plain mrkdwn text (no code): `<…>` tokens apart, the rest escaped and emphasised. */
function inline(source: string, context: RenderContext): string {
  const placeholders: string[] = [];
  // Tokens become inert placeholders first so emphasis never reaches into a link or a mention.
  const withMarks = source.replace(/<([^<>]+)>/g, (_whole, inner: string) => {
    placeholders.push(angleToken(inner, context));
    return `\uE000${placeholders.length - 1}\uE000`;
  });
  const escaped = emojify(emphasis(escapeHtml(unescapeSlack(withMarks))));
  return escaped.replace(/\uE000(\d+)\uE000/g, (_whole, index: string) => placeholders[Number(index)] ?? '');
}

/** mrkdwn → HTML: ```pre```, `code`, then links, mentions, dates, emphasis and emoji. */
export function mrkdwnToHtml(source: string, context: RenderContext = {}): string {
  const out: string[] = [];
  const fences = source.split('```');
  fences.forEach((segment, index) => {
    if (index % 2 === 1 && index < fences.length - 1) {
      out.push(`<pre>${escapeHtml(unescapeSlack(segment.replace(/^\n/, '')))}</pre>`);
      return;
    }
    const piece = index % 2 === 1 ? `\`\`\`${segment}` : segment;
    const codes = piece.split('`');
    codes.forEach((part, i) => {
      if (i % 2 === 1 && i < codes.length - 1) out.push(`<code>${escapeHtml(unescapeSlack(part))}</code>`);
      else out.push(inline(i % 2 === 1 ? `\`${part}` : part, context).replace(/\n/g, '<br>'));
    });
  });
  return out.join('');
}

/** A text object: plain_text is escaped (and emoji-fied when asked), mrkdwn is formatted. */
export function textObject(value: unknown, context: RenderContext = {}): string {
  if (!isRecord(value)) return '';
  if (value.type === 'mrkdwn') return mrkdwnToHtml(text(value.text), context);
  const escaped = escapeHtml(text(value.text));
  return value.emoji === false ? escaped : emojify(escaped);
}

function attr(name: string, value: unknown): string {
  return typeof value === 'string' && value !== '' ? ` ${name}="${escapeHtml(value)}"` : '';
}

function optionsHtml(element: Json): string {
  const option = (o: unknown) => {
    if (!isRecord(o)) return '';
    const initial = isRecord(element.initial_option) && element.initial_option.value === o.value;
    return `<option value="${escapeHtml(text(o.value))}"${initial ? ' selected' : ''}>${escapeHtml(text(isRecord(o.text) ? o.text.text : ''))}</option>`;
  };
  const placeholder = isRecord(element.placeholder) ? text(element.placeholder.text) : 'Choose…';
  const first = `<option value=""${isRecord(element.initial_option) ? '' : ' selected'} disabled>${escapeHtml(placeholder)}</option>`;
  if (Array.isArray(element.option_groups)) {
    const groups = element.option_groups
      .filter(isRecord)
      .map(
        (g) =>
          `<optgroup label="${escapeHtml(text(isRecord(g.label) ? g.label.text : ''))}">${(Array.isArray(g.options) ? g.options : []).map(option).join('')}</optgroup>`,
      );
    return first + groups.join('');
  }
  return first + (Array.isArray(element.options) ? element.options.map(option).join('') : '');
}

/**
 * An interactive element. Buttons and selects carry their ids as data attributes; the page's
 * script turns a click into the block_actions payload Slack would send. Inside a modal, inputs
 * are named `block_id/action_id` so the submission can be put back into Slack's state shape.
 */
function element(
  value: unknown,
  blockId: string | undefined,
  context: RenderContext,
  inForm = false,
): string {
  if (!isRecord(value)) return '';
  const ids = `${attr('data-action-id', value.action_id)}${attr('data-block-id', blockId)}`;
  switch (value.type) {
    case 'button': {
      const style = value.style === 'primary' || value.style === 'danger' ? ` btn-${value.style}` : '';
      const url = typeof value.url === 'string' ? safeUrl(value.url) : undefined;
      return `<button type="button" class="btn${style}" data-kind="button"${ids}${attr('data-value', value.value)}${attr('data-url', url)}>${textObject(value.text, context)}</button>`;
    }
    case 'static_select': {
      const name = inForm ? attr('name', `${blockId ?? ''}/${text(value.action_id)}`) : '';
      return `<select class="select" data-kind="static_select"${ids}${name}>${optionsHtml(value)}</select>`;
    }
    case 'plain_text_input': {
      const name = attr('name', `${blockId ?? ''}/${text(value.action_id)}`);
      const max = typeof value.max_length === 'number' ? ` maxlength="${value.max_length}"` : '';
      const initial = escapeHtml(text(value.initial_value));
      return value.multiline === true
        ? `<textarea class="input" data-kind="plain_text_input"${ids}${name}${max} rows="3">${initial}</textarea>`
        : `<input class="input" data-kind="plain_text_input"${ids}${name}${max} value="${initial}">`;
    }
    case 'image': {
      const src = safeUrl(text(value.image_url));
      return src
        ? `<img class="thumb" src="${escapeHtml(src)}" alt="${escapeHtml(text(value.alt_text))}">`
        : '';
    }
    case 'mrkdwn':
    case 'plain_text':
      return `<span>${textObject(value, context)}</span>`;
    default:
      return `<span class="unsupported">[${escapeHtml(text(value.type))}]</span>`;
  }
}

function block(value: unknown, context: RenderContext): string {
  if (!isRecord(value)) return '';
  const blockId = typeof value.block_id === 'string' ? value.block_id : undefined;
  const dataBlock = attr('data-block-id', blockId);
  switch (value.type) {
    case 'header':
      return `<div class="b-header"${dataBlock}>${textObject(value.text, context)}</div>`;
    case 'section': {
      const body = value.text ? `<div class="b-text">${textObject(value.text, context)}</div>` : '';
      const fields = Array.isArray(value.fields)
        ? `<div class="b-fields">${value.fields.map((f) => `<div class="b-field">${textObject(f, context)}</div>`).join('')}</div>`
        : '';
      const accessory = value.accessory
        ? `<div class="b-accessory">${element(value.accessory, blockId, context)}</div>`
        : '';
      return `<div class="b-section"${dataBlock}><div class="b-main">${body}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const elements = Array.isArray(value.elements) ? value.elements : [];
      return `<div class="b-context"${dataBlock}>${elements.map((e) => element(e, blockId, context)).join(' ')}</div>`;
    }
    case 'actions': {
      const elements = Array.isArray(value.elements) ? value.elements : [];
      return `<div class="b-actions"${dataBlock}>${elements.map((e) => element(e, blockId, context)).join('')}</div>`;
    }
    case 'divider':
      return '<hr class="b-divider">';
    case 'image': {
      const src = safeUrl(text(value.image_url));
      const title = value.title ? `<div class="b-image-title">${textObject(value.title, context)}</div>` : '';
      return src
        ? `<figure class="b-image"${dataBlock}>${title}<img src="${escapeHtml(src)}" alt="${escapeHtml(text(value.alt_text))}"></figure>`
        : '';
    }
    case 'input': {
      const optional = value.optional === true ? ' <span class="optional">(optional)</span>' : '';
      const hint = value.hint ? `<div class="b-hint">${textObject(value.hint, context)}</div>` : '';
      return `<label class="b-input"${dataBlock}><span class="b-label">${textObject(value.label, context)}${optional}</span>${element(value.element, blockId, context, true)}${hint}<span class="b-error" data-error-for="${escapeHtml(blockId ?? '')}"></span></label>`;
    }
    default:
      return `<div class="unsupported">[unsupported block: ${escapeHtml(text(value.type))}]</div>`;
  }
}

/** A message's or a view's blocks; a message without blocks shows its text as mrkdwn. */
export function blocksToHtml(blocks: unknown, context: RenderContext = {}, fallbackText = ''): string {
  if (!Array.isArray(blocks) || blocks.length === 0) {
    return fallbackText
      ? `<div class="b-section"><div class="b-text">${mrkdwnToHtml(fallbackText, context)}</div></div>`
      : '';
  }
  return blocks.map((b) => block(b, context)).join('');
}
