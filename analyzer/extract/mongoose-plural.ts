// The collection name Mongoose gives a model when none is set: the model name lower-cased and put
// through Mongoose's own pluralisation rules (lib/helpers/pluralize.js), not English: 'Person' →
// 'people', 'OrderItem' → 'orderitems', 'Index' → 'indexes', 'Fish' → 'fish', 'Hero' → 'heros'.
// The first rule that matches wins; names ending in 's' or in a non-letter are kept as they are.
// These are the rules of Mongoose 7 and 8. Mongoose 5–6 gave 'humen' for Human; Mongoose 9 gives
// viruses, cacti, foci, fungi and nuclei where these give viri, cactus, focus, fungus, nucleus.

const UNCOUNTABLE = new Set([
  'advice', 'energy', 'excretion', 'digestion', 'cooperation', 'health', 'justice', 'labour', 'machinery', 'equipment',
  'information', 'pollution', 'sewage', 'paper', 'money', 'species', 'series', 'rain', 'rice', 'fish', 'sheep', 'moose',
  'deer', 'news', 'expertise', 'status', 'media',
]);

/** [pattern, replacement], in Mongoose's order. The patterns keep Mongoose's quirks (e.g. `ex$` also catches "index"). */
const RULES: [RegExp, string][] = [
  [/human$/gi, 'humans'],
  [/(m)an$/gi, '$1en'],
  [/(pe)rson$/gi, '$1ople'],
  [/(child)$/gi, '$1ren'],
  [/^(ox)$/gi, '$1en'],
  [/(ax|test)is$/gi, '$1es'],
  [/(octop|vir)us$/gi, '$1i'],
  [/(alias|status)$/gi, '$1es'],
  [/(bu)s$/gi, '$1ses'],
  [/(buffal|tomat|potat)o$/gi, '$1oes'],
  [/([ti])um$/gi, '$1a'],
  [/sis$/gi, 'ses'],
  [/(?:([^f])fe|([lr])f)$/gi, '$1$2ves'],
  [/(hive)$/gi, '$1s'],
  [/([^aeiouy]|qu)y$/gi, '$1ies'],
  [/(x|ch|ss|sh)$/gi, '$1es'],
  [/(matr|vert|ind)ix|ex$/gi, '$1ices'],
  [/([m|l])ouse$/gi, '$1ice'],
  [/(kn|w|l)ife$/gi, '$1ives'],
  [/(quiz)$/gi, '$1zes'],
  [/^goose$/i, 'geese'],
  [/s$/gi, 's'],
  [/([^a-z])$/, '$1'],
  [/$/gi, 's'],
];

/** Mongoose's default collection name for a model name (`mongoose.pluralize()` left at its default). */
export function mongooseCollectionName(modelName: string): string {
  // Mongoose never renames its own system collections.
  if (modelName === 'system.profile' || modelName === 'system.indexes') return modelName;
  const word = modelName.toLowerCase();
  if (UNCOUNTABLE.has(word)) return word;
  for (const [pattern, replacement] of RULES) {
    pattern.lastIndex = 0;
    if (!pattern.test(word)) continue;
    pattern.lastIndex = 0;
    return word.replace(pattern, replacement);
  }
  return word;
}
