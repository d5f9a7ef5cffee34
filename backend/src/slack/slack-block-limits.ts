/*
 * Block Kit's documented limits (protocols.md §2.7). Every text we send is cut to its limit with an
 * ellipsis here, so Slack never answers `invalid_blocks` because an incident's title was long.
 * Lengths are counted in UTF-16 code units, as Slack counts them; a cut never splits a surrogate pair.
 */

export const SLACK_LIMITS = {
  /** Blocks in one message. */
  messageBlocks: 50,
  /** Blocks in a modal or Home tab. */
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  /** A message's top-level `text` (the notification fallback); Slack truncates past it. */
  messageText: 40000,
  /** Modal title and submit/close labels. */
  viewTitle: 24,
  viewSubmit: 24,
  /** A plain_text_input's initial value, and its max_length at most. */
  inputValue: 3000,
  optionText: 75,
  optionValue: 150,
  /** A view's private_metadata. */
  privateMetadata: 3000,
  /** A view's callback_id. */
  callbackId: 255,
} as const;

const ELLIPSIS = '…';

/** `text` cut to at most `limit` UTF-16 units, ending in an ellipsis when cut. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  if (limit <= 0) return '';
  let end = limit - ELLIPSIS.length;
  // do not leave half of a surrogate pair before the ellipsis
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, Math.max(0, end))}${ELLIPSIS}`;
}

/** Escapes the three characters mrkdwn gives meaning to (`&`, `<`, `>`), as Slack asks. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escaped user text cut to `limit` after escaping (an entity is never split: the cut backs off to
 * before a partial `&amp;`).
 */
export function mrkdwn(text: string, limit: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= limit) return escaped;
  let cut = truncate(escaped, limit);
  const amp = cut.lastIndexOf('&', cut.length - 1);
  if (amp >= 0 && !/^&(amp|lt|gt);/.test(cut.slice(amp))) cut = `${cut.slice(0, amp)}${ELLIPSIS}`;
  return cut;
}
