// The survey's askIf conditions (data, see data/catalogue/FORMAT.md), evaluated in the
// browser only to decide which questions to show; the server evaluates the rules.
export type Answers = Record<string, string | number | boolean>;

type Condition =
  | { always: true }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { question: string; op: string; value?: unknown };

export function evaluate(raw: unknown, answers: Answers): boolean {
  const c = raw as Condition;
  if (!c || typeof c !== 'object') return true;
  if ('always' in c) return true;
  if ('all' in c) return c.all.every((x) => evaluate(x, answers));
  if ('any' in c) return c.any.some((x) => evaluate(x, answers));
  if ('not' in c) return !evaluate(c.not, answers);
  if ('question' in c) {
    const a = answers[c.question];
    if (c.op === 'answered') return a !== undefined;
    if (a === undefined) return false;
    const v = c.value;
    switch (c.op) {
      case 'eq':
        return a === v;
      case 'ne':
        return a !== v;
      case 'gt':
        return typeof a === 'number' && a > Number(v);
      case 'gte':
        return typeof a === 'number' && a >= Number(v);
      case 'lt':
        return typeof a === 'number' && a < Number(v);
      case 'lte':
        return typeof a === 'number' && a <= Number(v);
      case 'in':
        return Array.isArray(v) && v.includes(a);
      default:
        return true;
    }
  }
  return true;
}
