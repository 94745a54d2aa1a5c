// "1 route", "2 routes": counts in the summary and the reports read as a person would write them.

export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
