// A tiny XML well-formedness check for tests (no xmllint in CI, no heavy parser dependency):
// balanced tags, quoted attributes, no raw '<' or stray '&' in text or attribute values.
export function checkXml(xml: string): string[] {
  const problems: string[] = [];
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const badText = (text: string, where: string): void => {
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) problems.push(`stray & in ${where}: ${text.slice(0, 60)}`);
    if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text)) problems.push(`control character in ${where}`);
  };
  let roots = 0;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    if (text.includes('>')) problems.push(`raw > in text: ${text.slice(0, 60)}`);
    badText(text, 'text');
    if (stack.length === 0 && text.trim() !== '') problems.push('text outside the root element');
    if (lt < 0) break;
    rest = rest.slice(lt);
    const tag = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/.exec(rest);
    if (!tag) {
      problems.push(`malformed tag: ${rest.slice(0, 60)}`);
      break;
    }
    const [whole, closing, name, attrs, selfClosing] = tag;
    badText(attrs, `attributes of <${name}>`);
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
    }
    rest = rest.slice(whole.length);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  return problems;
}
