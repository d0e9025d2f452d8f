/**
 * Getting message text onto a phone safely. Two layers quote the text on a real device:
 * the adb shell (`sh -c` of the command string) and the `input` script, which runs
 * `app_process ... $*` — its arguments are split again at blanks and globbed, and `input text`
 * turns `%s` into a space and cannot type characters outside printable ASCII.
 *
 * - `inputTextArgument(text)`: the ONE escaping function for `input text`: blanks become `%s`
 *   (so the `$*` re-split keeps one word), then the POSIX shell quote of drivers/shell-quote.
 * - `canUseInputText(text)`: whether `input text` can type the text exactly. When not (unicode,
 *   `%`, glob characters `*?[`, backslash, `{`, control characters), the driver types through the
 *   ADBKeyboard IME broadcast with base64 text instead (`adbKeyboardCommand`).
 */
import { shellQuote } from '../shell-quote';

const INPUT_TEXT_SAFE = /^[\x20-\x7e]*$/;
// % (the %s escape), glob characters, backslash, and { (mksh brace expansion) are left to the IME path.
const INPUT_TEXT_UNSAFE_CHARS = /[%*?[\\{]/;

export function canUseInputText(text: string): boolean {
  return text.length > 0 && INPUT_TEXT_SAFE.test(text) && !INPUT_TEXT_UNSAFE_CHARS.test(text);
}

/** The argument for `input text`, ready to put in a shell command line. */
export function inputTextArgument(text: string): string {
  if (!canUseInputText(text)) throw new Error(`inputTextArgument: 'input text' cannot type ${JSON.stringify(text)} exactly; use the ADBKeyboard path`);
  return shellQuote(text.replace(/ /g, '%s'));
}

export const ADB_KEYBOARD_IME = 'com.android.adbkeyboard/.AdbIME';

/** `am broadcast` for ADBKeyboard: the text travels as base64, so no character is special. */
export function adbKeyboardCommand(text: string): string {
  return `am broadcast -a ADB_INPUT_B64 --es msg ${shellQuote(Buffer.from(text, 'utf8').toString('base64'))}`;
}
