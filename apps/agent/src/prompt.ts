import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Asks on the terminal without echoing what is typed or pasted (a token); Ctrl+C answers ''. */
export function askSecret(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stdout.write(chunk);
      callback();
    },
  });
  const readline = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    readline.question(question, (answer) => {
      readline.close();
      process.stdout.write('\n');
      resolve(answer.trim());
    });
    muted = true;
    readline.on('SIGINT', () => {
      readline.close();
      process.stdout.write('\n');
      resolve('');
    });
  });
}

/** Everything piped to stdin, trimmed (`echo $TOKEN | outpost-agent token set`). */
export async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8').trim();
}

export const TOKEN_QUESTION = 'Paste the agent token from Outpost → Resources → Agents → Show token → Copy: ';
