import { format, inspect } from 'node:util';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  readStdin: () => Promise<string>;
}

export async function readAll(stream: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stream.isTTY) return '';
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

const ROUTED = ['log', 'info', 'debug', 'warn', 'trace', 'dir'] as const;

/**
 * Sends console output to stderr until the returned function is called. Libraries print to the
 * console on their own (the ollama client before it reads an error page, the Anthropic SDK under
 * ANTHROPIC_LOG=debug); on stdout that would break `--format json` and anything piping the result.
 * The result itself goes through `io.stdout`, which this leaves alone.
 */
export function routeConsoleToStderr(stderr: NodeJS.WritableStream): () => void {
  const saved = ROUTED.map((name) => [name, console[name]] as const);
  const write = (text: string): void => {
    stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  console.log = console.info = console.debug = console.warn = (...args: unknown[]): void => write(format(...args));
  console.trace = (...args: unknown[]): void => write(`Trace: ${format(...args)}\n${new Error().stack?.split('\n').slice(2).join('\n')}`);
  console.dir = (obj: unknown, options?: object): void => write(inspect(obj, options));
  return () => {
    for (const [name, fn] of saved) (console as unknown as Record<string, unknown>)[name] = fn;
  };
}

/**
 * A reader that goes away (`pullmint history | head -1`) is no error: what it did not read it did
 * not want. Without a listener, EPIPE is an uncaught exception with a stack trace; later writes to
 * the closed stream fail the same way and are dropped too.
 */
export function ignoreClosedReader(stream: NodeJS.WritableStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}
