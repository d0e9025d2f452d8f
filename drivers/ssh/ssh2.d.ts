/** The one part of ssh2 (node-ssh's transport) the driver calls itself; ssh2 ships no types. */
declare module 'ssh2' {
  export const utils: {
    /** A parsed key, or an Error saying why the text is not a usable key (e.g. encrypted). */
    parseKey(key: string | Buffer, passphrase?: string): unknown;
  };
}
