import { InvalidQueryError } from '../query-error.ts';

type Node = { kind: 'number'; value: number } | { kind: 'series'; index: number } | { kind: 'negate'; operand: Node } | { kind: 'binary'; op: string; left: Node; right: Node };

/**
 * Parses a trends formula over series letters (A is the first series): numbers, + - * /,
 * unary minus and parentheses. A parser, not eval: a formula is user input.
 */
export function parseFormula(text: string, seriesCount: number): (values: number[]) => number {
  const tokens = text.match(/\s*(\d+(?:\.\d+)?|[A-Za-z]|[-+*/()]|\S)/g)?.map((token) => token.trim()) ?? [];
  let position = 0;
  const fail = (message: string): never => { throw new InvalidQueryError(`formula ${JSON.stringify(text)}: ${message}`, 'formula'); };
  const peek = () => tokens[position];
  const primary = (): Node => {
    const token = tokens[position++];
    if (token === undefined) return fail('ends too early');
    if (/^\d/.test(token)) return { kind: 'number', value: Number(token) };
    if (/^[A-Za-z]$/.test(token)) {
      const index = token.toUpperCase().charCodeAt(0) - 65;
      if (index >= seriesCount) return fail(`there is no series ${token.toUpperCase()}`);
      return { kind: 'series', index };
    }
    if (token === '-') return { kind: 'negate', operand: primary() };
    if (token === '(') {
      const inner = sum();
      if (tokens[position++] !== ')') return fail('a parenthesis is not closed');
      return inner;
    }
    return fail(`unexpected ${JSON.stringify(token)}`);
  };
  const product = (): Node => {
    let node = primary();
    while (peek() === '*' || peek() === '/') node = { kind: 'binary', op: tokens[position++]!, left: node, right: primary() };
    return node;
  };
  const sum = (): Node => {
    let node = product();
    while (peek() === '+' || peek() === '-') node = { kind: 'binary', op: tokens[position++]!, left: node, right: product() };
    return node;
  };
  if (tokens.length === 0) fail('is empty');
  const tree = sum();
  if (position < tokens.length) fail(`unexpected ${JSON.stringify(tokens[position])}`);
  const evaluate = (node: Node, values: number[]): number => {
    switch (node.kind) {
      case 'number': return node.value;
      case 'series': return values[node.index] ?? 0;
      case 'negate': return -evaluate(node.operand, values);
      case 'binary': {
        const left = evaluate(node.left, values);
        const right = evaluate(node.right, values);
        if (node.op === '+') return left + right;
        if (node.op === '-') return left - right;
        if (node.op === '*') return left * right;
        // Like PostHog: a division by zero gives 0, not Infinity.
        return right === 0 ? 0 : left / right;
      }
    }
  };
  return (values) => evaluate(tree, values);
}
