// schema.prisma as the Prisma readers need it: each model's table (`@@map`) and its relation fields, with
// the model a field leads to and where the link between two rows is kept (a foreign key on either side,
// or the join table Prisma keeps for an implicit many-to-many relation), and the foreign keys those links are.
// Pure: text in, models out.
import type { ForeignKey } from './types.ts';

export interface PrismaModel {
  name: string;
  /** `@@map("…")`, else the model name */
  table: string;
  file: string;
  line: number;
  /** relation field name → where it leads */
  relations: Map<string, PrismaRelation>;
}

/**
 * Where the link between a row and its related rows is kept:
 * `own`, a foreign key on this model's row (`author User @relation(fields: [authorId], …)`);
 * `target`, a foreign key on the related row (`posts Post[]`, whose other side holds `fields`);
 * `join`, an implicit many-to-many's join table; `both`, MongoDB's many-to-many (an id list on each side).
 */
export type PrismaLink = 'own' | 'target' | 'join' | 'both';

export interface PrismaRelation {
  target: PrismaModel;
  /** a to-many field (`Post[]`) */
  list: boolean;
  link: PrismaLink;
  /** the join table of an implicit many-to-many relation */
  join?: string;
}

export interface PrismaJoinTable {
  table: string;
  file: string;
  /** the first relation field that names it */
  line: number;
}

export type PrismaForeignKey = Omit<ForeignKey, 'via'>;

export interface PrismaSchemaFile {
  rel: string;
  text: string;
}

interface Field {
  model: string;
  name: string;
  type: string;
  list: boolean;
  /** the `@relation("…")` name, '' when unnamed */
  relation: string;
  /** `@relation(fields: […])`: the foreign key is on this side */
  fields: boolean;
  /** `@relation(fields: [a, b], references: [x, y], onDelete: Cascade)`, as written */
  keyFields: string[];
  keyReferences: string[];
  onDelete?: string;
  /** `@map("…")`: the column's name, else the field's */
  column: string;
  /** `@id` */
  id: boolean;
  file: string;
  line: number;
}

/** `name Type`, `name Type[]`, `name Type?`, then its attributes */
const FIELD = /^\s*(\w+)\s+(\w+)(\[\])?\??(.*)$/;

/**
 * Models of one schema or of a multi-file schema (`prismaSchemaFolder`): relations are paired across
 * files. Every model is returned; when two files declare the same model name, the later one gets the
 * relations (as the client accessor does).
 */
export function parsePrismaSchemas(files: PrismaSchemaFile[]): { models: PrismaModel[]; joins: PrismaJoinTable[]; foreignKeys: PrismaForeignKey[] } {
  const models: PrismaModel[] = [];
  const byName = new Map<string, PrismaModel>();
  const fields: Field[] = [];
  for (const { rel, text } of files) {
    const block = /^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm;
    for (let m = block.exec(text); m; m = block.exec(text)) {
      const name = m[1];
      const map = /@@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(m[2]);
      const model: PrismaModel = { name, table: map ? map[1] : name, file: rel, line: lineAt(text, m.index + m[0].indexOf('model')), relations: new Map() };
      models.push(model);
      byName.set(name, model);
      const bodyLine = lineAt(text, m.index + m[0].indexOf('{'));
      m[2].split('\n').forEach((raw, i) => {
        const f = FIELD.exec(withoutComment(raw));
        if (!f) return;
        const column = /@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(f[4])?.[1] ?? f[1];
        const id = /@id\b/.test(f[4]);
        fields.push({ model: name, name: f[1], type: f[2], list: f[3] !== undefined, ...relationAttribute(f[4]), column, id, file: rel, line: bodyLine + i });
      });
    }
  }

  const relationFields = fields.filter((f) => byName.has(f.type));
  const joins = new Map<string, PrismaJoinTable>();
  const foreignKeys: PrismaForeignKey[] = [];
  /** a model's field (by name) → its column */
  const columnOf = (model: string, field: string): string => fields.find((x) => x.model === model && x.name === field)?.column ?? field;
  const idColumns = (model: string): string[] => fields.filter((x) => x.model === model && x.id).map((x) => x.column);
  for (const f of relationFields) {
    // Prisma pairs the two sides of a relation by model and relation name (a self-relation: the other field)
    const other = relationFields.find((o) => o !== f && o.model === f.type && o.type === f.model && o.relation === f.relation);
    const link = linkOf(f, other);
    // Prisma's naming: `_` + the relation name, whose default is `<A>To<B>`, the two model names in alphabetical order
    const join = link === 'join' ? `_${f.relation || [f.model, f.type].sort().join('To')}` : undefined;
    const relation: PrismaRelation = { target: byName.get(f.type)!, list: f.list, link };
    if (join) relation.join = join;
    byName.get(f.model)!.relations.set(f.name, relation);
    if (join && !joins.has(join)) {
      joins.set(join, { table: join, file: f.file, line: f.line });
      // columns A and B point at the two models, A at the first by name; Prisma creates both ON DELETE CASCADE
      const [a, b] = [f.model, f.type].sort();
      for (const [column, model] of [['A', a], ['B', b]]) {
        foreignKeys.push({ table: join, columns: [column], references: byName.get(model)!.table, referencedColumns: idColumns(model), onDelete: 'cascade', file: f.file, line: f.line });
      }
    }
    if (link === 'own' && f.fields) {
      foreignKeys.push({
        table: byName.get(f.model)!.table,
        columns: f.keyFields.map((x) => columnOf(f.model, x)),
        references: byName.get(f.type)!.table,
        referencedColumns: f.keyReferences.map((x) => columnOf(f.type, x)),
        ...(f.onDelete ? { onDelete: f.onDelete } : {}),
        file: f.file,
        line: f.line,
      });
    }
  }
  return { models, joins: [...joins.values()], foreignKeys };
}

function linkOf(f: Field, other: Field | undefined): PrismaLink {
  if (f.list && other?.list) return f.fields || other.fields ? 'both' : 'join';
  if (f.fields) return 'own';
  if (other?.fields) return 'target';
  // an unpaired field (an invalid schema): a list is kept on the other rows, a single value on this one
  return f.list ? 'target' : 'own';
}

const REFERENTIAL_ACTIONS: Record<string, string> = { Cascade: 'cascade', Restrict: 'restrict', NoAction: 'no action', SetNull: 'set null', SetDefault: 'set default' };

type RelationAttribute = Pick<Field, 'relation' | 'fields' | 'keyFields' | 'keyReferences' | 'onDelete'>;

/** `@relation("Name", fields: […], references: […], onDelete: Cascade)` / `@relation(name: "Name")` */
function relationAttribute(attributes: string): RelationAttribute {
  const at = attributes.indexOf('@relation(');
  if (at < 0) return { relation: '', fields: false, keyFields: [], keyReferences: [] };
  const args = argumentsOf(attributes, at + '@relation('.length);
  const name = /^\s*"([^"]*)"/.exec(args) ?? /\bname\s*:\s*"([^"]*)"/.exec(args);
  const list = (key: string): string[] => (new RegExp(`\\b${key}\\s*:\\s*\\[([^\\]]*)\\]`).exec(args)?.[1] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const out: RelationAttribute = { relation: name?.[1] ?? '', fields: /\bfields\s*:/.test(args), keyFields: list('fields'), keyReferences: list('references') };
  const onDelete = REFERENTIAL_ACTIONS[/\bonDelete\s*:\s*(\w+)/.exec(args)?.[1] ?? ''];
  if (onDelete) out.onDelete = onDelete;
  return out;
}

/** The text up to the parenthesis closing an attribute's argument list (later attributes left out). */
function argumentsOf(text: string, start: number): string {
  let depth = 0;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return text.slice(start, i);
  }
  return text.slice(start);
}

/** A line without its `//` or `///` comment (a `//` inside a string, `@default("http://…")`, stays). */
function withoutComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
