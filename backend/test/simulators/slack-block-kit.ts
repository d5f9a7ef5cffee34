/**
 * The Block Kit checks the Slack simulator applies (protocols.md §2.7): what Slack refuses with
 * `invalid_blocks` (messages) or `invalid_arguments` (views), each problem worded as Slack words it,
 * with a JSON pointer to the offending field. Only the block and element types the product sends
 * are understood in detail; other types pass with their common fields checked.
 */

export const BLOCK_KIT = {
  messageBlocks: 50,
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
  messageText: 40000,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  callbackId: 255,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  optionText: 75,
  optionValue: 150,
  placeholder: 150,
  viewBytes: 250 * 1024,
} as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Problems {
  readonly list: string[] = [];
  add(message: string, pointer: string): void {
    this.list.push(`${message} [json-pointer:${pointer}]`);
  }
}

function checkText(
  value: unknown,
  pointer: string,
  limit: number,
  problems: Problems,
  kinds: readonly string[] = ['plain_text', 'mrkdwn'],
): void {
  if (!isObject(value)) {
    problems.add('must provide an object', pointer);
    return;
  }
  if (typeof value.type !== 'string' || !kinds.includes(value.type)) {
    problems.add(`must be one of: ${kinds.join(', ')}`, `${pointer}/type`);
  }
  if (typeof value.text !== 'string') {
    problems.add('must provide a string', `${pointer}/text`);
    return;
  }
  if (value.text.length === 0) problems.add('must be more than 0 characters', `${pointer}/text`);
  if (value.text.length > limit) problems.add(`must be less than ${limit + 1} characters`, `${pointer}/text`);
}

function checkString(value: unknown, pointer: string, limit: number, problems: Problems): void {
  if (value === undefined) return;
  if (typeof value !== 'string') problems.add('must provide a string', pointer);
  else if (value.length > limit) problems.add(`must be less than ${limit + 1} characters`, pointer);
}

function checkOption(option: unknown, pointer: string, problems: Problems): void {
  if (!isObject(option)) {
    problems.add('must provide an object', pointer);
    return;
  }
  checkText(option.text, `${pointer}/text`, BLOCK_KIT.optionText, problems);
  checkString(option.value, `${pointer}/value`, BLOCK_KIT.optionValue, problems);
}

function checkElement(element: unknown, pointer: string, problems: Problems): void {
  if (!isObject(element)) {
    problems.add('must provide an object', pointer);
    return;
  }
  if (typeof element.type !== 'string') {
    problems.add('must provide a string', `${pointer}/type`);
    return;
  }
  checkString(element.action_id, `${pointer}/action_id`, BLOCK_KIT.actionId, problems);
  if (element.type === 'button') {
    checkText(element.text, `${pointer}/text`, BLOCK_KIT.buttonText, problems, ['plain_text']);
    checkString(element.value, `${pointer}/value`, BLOCK_KIT.buttonValue, problems);
    checkString(element.url, `${pointer}/url`, BLOCK_KIT.buttonUrl, problems);
    if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
      problems.add('must be one of: primary, danger', `${pointer}/style`);
    }
  }
  if (element.placeholder !== undefined) {
    checkText(element.placeholder, `${pointer}/placeholder`, BLOCK_KIT.placeholder, problems, ['plain_text']);
  }
  if (Array.isArray(element.options)) {
    element.options.forEach((option, i) => checkOption(option, `${pointer}/options/${i}`, problems));
  }
  if (element.initial_option !== undefined)
    checkOption(element.initial_option, `${pointer}/initial_option`, problems);
}

function checkBlock(block: unknown, pointer: string, problems: Problems, inView: boolean): void {
  if (!isObject(block)) {
    problems.add('must provide an object', pointer);
    return;
  }
  checkString(block.block_id, `${pointer}/block_id`, BLOCK_KIT.blockId, problems);
  switch (block.type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        problems.add('must provide either text or fields', pointer);
      }
      if (block.text !== undefined) checkText(block.text, `${pointer}/text`, BLOCK_KIT.sectionText, problems);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) problems.add('must provide an array', `${pointer}/fields`);
        else {
          if (block.fields.length > BLOCK_KIT.sectionFields) {
            problems.add(`must provide no more than ${BLOCK_KIT.sectionFields} items`, `${pointer}/fields`);
          }
          block.fields.forEach((field, i) =>
            checkText(field, `${pointer}/fields/${i}`, BLOCK_KIT.sectionFieldText, problems),
          );
        }
      }
      if (block.accessory !== undefined) checkElement(block.accessory, `${pointer}/accessory`, problems);
      return;
    }
    case 'header':
      checkText(block.text, `${pointer}/text`, BLOCK_KIT.headerText, problems, ['plain_text']);
      return;
    case 'divider':
      return;
    case 'context': {
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        problems.add('must provide a non-empty array', `${pointer}/elements`);
        return;
      }
      if (block.elements.length > BLOCK_KIT.contextElements) {
        problems.add(`must provide no more than ${BLOCK_KIT.contextElements} items`, `${pointer}/elements`);
      }
      block.elements.forEach((element, i) => {
        if (isObject(element) && element.type === 'image') return;
        checkText(element, `${pointer}/elements/${i}`, BLOCK_KIT.contextText, problems);
      });
      return;
    }
    case 'actions': {
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        problems.add('must provide a non-empty array', `${pointer}/elements`);
        return;
      }
      if (block.elements.length > BLOCK_KIT.actionsElements) {
        problems.add(`must provide no more than ${BLOCK_KIT.actionsElements} items`, `${pointer}/elements`);
      }
      block.elements.forEach((element, i) => checkElement(element, `${pointer}/elements/${i}`, problems));
      return;
    }
    case 'input': {
      if (!inView) problems.add('input blocks are only allowed in views', `${pointer}/type`);
      checkText(block.label, `${pointer}/label`, BLOCK_KIT.inputLabel, problems, ['plain_text']);
      if (block.hint !== undefined)
        checkText(block.hint, `${pointer}/hint`, BLOCK_KIT.inputHint, problems, ['plain_text']);
      checkElement(block.element, `${pointer}/element`, problems);
      return;
    }
    case 'rich_text':
    case 'image':
    case 'video':
    case 'file':
    case 'markdown':
      return;
    default:
      problems.add('must be a valid enum value', `${pointer}/type`);
  }
}

/** Problems with a message's `blocks` (empty: acceptable). */
export function messageBlockProblems(blocks: unknown): string[] {
  const problems = new Problems();
  if (blocks === undefined) return problems.list;
  if (!Array.isArray(blocks)) {
    problems.add('must provide an array', '');
    return problems.list;
  }
  if (blocks.length > BLOCK_KIT.messageBlocks) {
    problems.add(`must provide no more than ${BLOCK_KIT.messageBlocks} items`, '');
  }
  blocks.forEach((block, i) => checkBlock(block, `/${i}`, problems, false));
  return problems.list;
}

/** Problems with a modal view (empty: acceptable). */
export function viewProblems(view: unknown): string[] {
  const problems = new Problems();
  if (!isObject(view)) {
    problems.add('must provide an object', '/view');
    return problems.list;
  }
  if (view.type !== 'modal' && view.type !== 'home')
    problems.add('must be one of: modal, home', '/view/type');
  if (view.type === 'modal')
    checkText(view.title, '/view/title', BLOCK_KIT.viewTitle, problems, ['plain_text']);
  if (view.submit !== undefined)
    checkText(view.submit, '/view/submit', BLOCK_KIT.viewSubmit, problems, ['plain_text']);
  if (view.close !== undefined)
    checkText(view.close, '/view/close', BLOCK_KIT.viewClose, problems, ['plain_text']);
  checkString(view.callback_id, '/view/callback_id', BLOCK_KIT.callbackId, problems);
  checkString(view.private_metadata, '/view/private_metadata', BLOCK_KIT.privateMetadata, problems);
  if (!Array.isArray(view.blocks)) {
    problems.add('must provide an array', '/view/blocks');
    return problems.list;
  }
  if (view.blocks.length > BLOCK_KIT.viewBlocks) {
    problems.add(`must provide no more than ${BLOCK_KIT.viewBlocks} items`, '/view/blocks');
  }
  const hasInput = view.blocks.some((block) => isObject(block) && block.type === 'input');
  if (hasInput && view.type === 'modal' && view.submit === undefined) {
    problems.add('must provide submit when input blocks are present', '/view/submit');
  }
  view.blocks.forEach((block, i) => checkBlock(block, `/view/blocks/${i}`, problems, true));
  return problems.list;
}

/** The readable text of blocks, one line per text: what a person sees of a card. */
export function blocksText(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  const lines: string[] = [];
  const textOf = (value: unknown): string | undefined =>
    isObject(value) && typeof value.text === 'string' ? value.text : undefined;
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const text = textOf(block.text);
    if (text !== undefined) lines.push(text);
    if (Array.isArray(block.fields)) for (const field of block.fields) lines.push(textOf(field) ?? '');
    if (Array.isArray(block.elements)) {
      for (const element of block.elements) {
        if (!isObject(element)) continue;
        const label = textOf(element.text) ?? (typeof element.text === 'string' ? element.text : undefined);
        if (label !== undefined) lines.push(element.type === 'button' ? `[${label}]` : label);
      }
    }
  }
  return lines;
}
