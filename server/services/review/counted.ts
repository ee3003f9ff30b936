// Which judgements count downstream: a judgement a reviewer rejected leaves the analytics summaries and, unless a
// snapshot asks for them, the exports. The one condition both read, on an annotation alias.
export const countedAnnotation = (alias: string) => `${alias}."reviewState" IS DISTINCT FROM 'REJECTED'`;
