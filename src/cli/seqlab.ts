// `seqlab`: train, evaluate and query Sequence Lab models from a terminal, without VS Code.
// Exit codes: 0 success, 1 the work failed (message on stderr), 2 the command was called wrongly.
import { parseArgs, commandHelp, UsageError } from './args';
import { completeCommand } from './commands/complete';
import { CliError, type CliIO, type Command } from './commands/common';
import { evalCommand } from './commands/eval';
import { exportOnnxCommand } from './commands/exportOnnx';
import { trainCommand } from './commands/train';

export const COMMANDS: readonly Command[] = [trainCommand, evalCommand, completeCommand, exportOnnxCommand];

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'Usage: seqlab <command> [options]',
    '',
    'Train RNN, GRU, LSTM, Transformer and n-gram language models on your files, measure them,',
    'and get completions from them.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.brief}`),
    '',
    'Run "seqlab <command> --help" for the options of a command.',
    '',
  ].join('\n');
}

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(mainHelp());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    io.stderr.write(`seqlab: unknown command "${name}" (expected ${COMMANDS.map((c) => c.spec.name).join(', ')})\n`);
    io.stderr.write('Run "seqlab --help" for usage.\n');
    return EXIT_USAGE;
  }
  try {
    const args = parseArgs(command.spec, rest);
    if (args.help) {
      io.stdout.write(commandHelp(command.spec));
      return EXIT_OK;
    }
    await command.run(args, io);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`seqlab ${name}: ${e.message}\nRun "seqlab ${name} --help" for usage.\n`);
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      io.stderr.write(`seqlab ${name}: ${e.message}\n`);
      return EXIT_FAILURE;
    }
    const detail = process.env.SEQLAB_DEBUG ? `\n${(e as Error)?.stack ?? e}` : ' (set SEQLAB_DEBUG=1 for details)';
    io.stderr.write(`seqlab ${name}: unexpected error: ${(e as Error)?.message ?? e}${detail}\n`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
