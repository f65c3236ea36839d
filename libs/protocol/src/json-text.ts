declare const encodes: unique symbol;

/**
 * JSON text known to encode a value of type `T`. Wire messages assembled by
 * hand from pieces encoded once and shared (a tick's feeds, written to every
 * connection) are built from these, so that the type system checks the
 * assembled text has the shape of the message type it stands for.
 */
export type JsonText<T> = string & { readonly [encodes]: T };

/** `value` as JSON text of its type (`JSON.stringify`: for plain JSON values). */
export function jsonText<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>;
}

/**
 * Text an encoder of its own built for a `T`, claimed to be its JSON: the
 * one step the type system takes on trust, so each use names the test that
 * decodes the encoder's output back to a `T`.
 */
export function trustedJson<T>(text: string): JsonText<T> {
  return text as JsonText<T>;
}

/**
 * The JSON object of a `T` from the JSON text of its fields, in the order
 * given: every field of `T`, each of its own type, and no other.
 */
export function jsonObject<T extends object>(fields: { readonly [K in keyof T]-?: JsonText<T[K]> }): JsonText<T> {
  let text = '{';
  for (const [key, value] of Object.entries<string>(fields)) {
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${value}`;
  }
  return (text + '}') as JsonText<T>;
}
