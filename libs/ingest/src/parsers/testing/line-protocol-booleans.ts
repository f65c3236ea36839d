/** Every spelling of a boolean field value the line protocol allows, with the value it stands for. */
export const LINE_PROTOCOL_BOOLEANS: [string, number][] = [
  ['t', 1],
  ['T', 1],
  ['true', 1],
  ['True', 1],
  ['TRUE', 1],
  ['f', 0],
  ['F', 0],
  ['false', 0],
  ['False', 0],
  ['FALSE', 0],
];
