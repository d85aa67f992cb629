import { MODULES } from '@mobius/config';
import { Argument, Command, CommanderError, Option } from 'commander';
import { SERVICE_ENTRIES, startCommand, type ServiceName } from './commands/start.ts';
import { CommandExit } from './command-exit.ts';
import { cliVersion } from './version.ts';
import type { CliIO } from './io.ts';

/** `--data-dir`: where a command looks for the running `mobius dev` whose URLs and databases it uses. */
const DATA_DIR_OPTION = [
  '--data-dir <dir>',
  'the mobius dev to use when no variable says otherwise (default MOBIUS_DATA_DIR or <repo>/.mobius)',
] as const;

/**
 * The `mobius` command tree. Commands throw; `runCli` turns errors into one line and an exit code.
 * Each command's module is imported when that command runs, not here: `mobius start <service>` (what
 * every container runs) then loads the service and nothing of migrate, dev, replay or search, which is
 * a good part of its start-up time. start.ts itself is tiny (the service list for --help).
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command('mobius')
    .description('Operate the Mobius data platform')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .option('-V, --version', 'print the version (package.json and git commit) and exit')
    .on('option:version', () => {
      io.out(cliVersion());
      throw new CommanderError(0, 'mobius.version', '');
    });

  program
    .command('migrate')
    .description('Create or update the schema of every module database (or one, with --module)')
    .addOption(new Option('--env <env>', 'dev: local defaults, creates missing databases; prod: every URL explicit').choices(['dev', 'prod']))
    .addOption(new Option('--module <module>', 'only this module').choices([...MODULES]))
    .option('--status', 'list applied and pending migrations per module, change nothing')
    .option('--dry-run', 'print the SQL that would run, change nothing')
    .option(...DATA_DIR_OPTION)
    .action(async (options) => (await import('./commands/migrate.ts')).migrateCommand(options, io));

  program
    .command('start')
    .description('Run one service in this process (what a container runs); SIGTERM stops it cleanly')
    .addArgument(new Argument('<service>', 'the service').choices(Object.keys(SERVICE_ENTRIES)))
    .action(async (service: ServiceName) => startCommand(service));

  const dev = program
    .command('dev')
    .description('Run the whole platform in this process on embedded defaults (what npm start runs); Ctrl-C stops it')
    .option('--data-dir <dir>', 'where dev keeps its Postgres data and secrets (default MOBIUS_DATA_DIR or <repo>/.mobius)')
    .option('--port-base <n>', 'services listen on n+1 (rag), n+2 (chat), n+3 (user), n+11..n+14 (consumers); 0: any free port (default 8000)')
    .option('--pg-port <n>', 'embedded Postgres port; 0: any free port (default 54329, or a free one when taken)')
    .option('--no-sample', 'do not load the sample policies on first run')
    .action(async (options) => (await import('./commands/dev.ts')).devCommand(options, io));
  dev
    .command('status')
    .description('Print the URLs and connection strings of the running mobius dev (a psql line included)')
    .option('--data-dir <dir>', 'its data directory (default MOBIUS_DATA_DIR or <repo>/.mobius)')
    // optsWithGlobals: `mobius dev` has its own --data-dir, which commander gives the parent.
    .action(async (_options, command: Command) => (await import('./commands/dev-status.ts')).devStatusCommand(command.optsWithGlobals(), io));
  dev
    .command('reset')
    .description("Delete mobius dev's data directory (databases, secrets) after a confirmation; refused while it runs")
    .option('--data-dir <dir>', 'the data directory (default MOBIUS_DATA_DIR or <repo>/.mobius)')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    // optsWithGlobals: `mobius dev` has its own --data-dir, which commander gives the parent.
    .action(async (_options, command: Command) => (await import('./commands/dev-reset.ts')).devResetCommand(command.optsWithGlobals(), io));

  program
    .command('search')
    .description("Search the published corpus through chat's POST /v1/search (CHAT_URL)")
    .argument('<text>', 'what to search for')
    .option('--payer <payer>', 'only this payer')
    .option('--state <state>', 'only this two-letter state')
    .option('--program <program>', 'only this program')
    .option('--authority-level <level>', 'only this authority level')
    .option('-k <n>', 'number of results (default 10, at most 100)')
    .option('--chat-url <url>', 'the chat API (default CHAT_URL or http://localhost:8002)')
    .option('--token <token>', 'bearer access token (default: minted with JWT_SECRET or the secret mobius dev keeps)')
    .option('--data-dir <dir>', "mobius dev's data directory, for its secret (default MOBIUS_DATA_DIR or <repo>/.mobius)")
    .action(async (text: string, options) => (await import('./commands/search.ts')).searchCommand(text, options, io));

  program
    .command('publish')
    .description('Upload and publish markdown documents through the rag API (RAG_URL)')
    .argument('<paths...>', 'markdown files, or directories of them')
    .option('--payer <payer>', 'document payer')
    .option('--state <state>', 'two-letter state code')
    .option('--program <program>', 'program, e.g. Medicaid')
    .option('--authority-level <level>', 'authority level, e.g. payer_policy')
    .option('--rag-url <url>', 'the rag API (default RAG_URL, else the running mobius dev, else http://localhost:8001)')
    .option('--new', 'upload as a new document even when one of the same filename exists (default: replace it)')
    .option(...DATA_DIR_OPTION)
    .action(async (paths: string[], options) => (await import('./commands/publish.ts')).publishCommand(paths, options, io));

  const documents = program.command('documents').description('The documents of the rag API (RAG_URL): list, unpublish, delete');
  documents
    .command('list')
    .description('One line per document: id, published or not, version, filename')
    .option('--filename <name>', 'only documents of this filename')
    .option('--json', 'a JSON array on stdout')
    .option('--rag-url <url>', 'the rag API (default RAG_URL, else the running mobius dev, else http://localhost:8001)')
    .option(...DATA_DIR_OPTION)
    .action(async (options) => (await import('./commands/documents.ts')).documentsCommand('list', [], options, io));
  for (const [action, description] of [
    ['unpublish', 'Remove documents from Chat and the index (through the pipeline); they stay in rag'],
    ['delete', 'Delete documents from rag (and, through the pipeline, from Chat and the index)'],
  ] as const) {
    documents
      .command(action)
      .description(description)
      .argument('<documents...>', 'document ids, or filenames naming one document each')
      .option('--rag-url <url>', 'the rag API (default RAG_URL, else the running mobius dev, else http://localhost:8001)')
      .option(...DATA_DIR_OPTION)
      .action(async (references: string[], options) => (await import('./commands/documents.ts')).documentsCommand(action, references, options, io));
  }

  program
    .command('replay')
    .description("Deliver a subscription's messages again from a time, a sequence or the beginning")
    .requiredOption('--subscription <name>', 'ingestor, mart-builder, chat-sync or vertex-sync')
    .requiredOption('--from <from>', 'ISO-8601 time, seq:N (NATS), snapshot:NAME (Pub/Sub) or beginning')
    .option('--dry-run', 'say what would be replayed, change nothing')
    .option('--force', 'rewind chat-sync or vertex-sync anyway (it changes nothing there: see mobius resync --repair)')
    .option('--no-wait', 'return after the rewind instead of following the backlog down with progress')
    .option(...DATA_DIR_OPTION)
    .action(async (options) => (await import('./commands/replay.ts')).replayCommand(options, io));

  const dlq = program.command('dlq').description("A subscription's dead letters: list, show, redrive to the topic, purge (docs/dead-letters.md)");
  const dlqAction = (action: 'list' | 'show' | 'redrive' | 'purge', description: string) =>
    dlq
      .command(action)
      .description(description)
      .requiredOption('--subscription <name>', 'ingestor, mart-builder, chat-sync or vertex-sync')
      .option('--id <id>', 'only the dead letter with this message id')
      .option('--since <duration>', 'only those dead-lettered within this long, e.g. 30m, 2h, 1d')
      .option('--reason-like <text>', 'only those whose reason or code contains this (any case)')
      .option('--limit <n>', 'read at most the n oldest dead letters (default 1000)')
      .option('--json', 'JSON on stdout')
      .option(...DATA_DIR_OPTION)
      .action(async (options) => (await import('./commands/dlq.ts')).dlqCommand(action, options, io));
  dlqAction('list', 'One line per dead letter: id, attempts, first and last failure, trace id, size, reason');
  dlqAction('show', "A dead letter's payload and every attribute (--id required)");
  dlqAction('redrive', 'Republish dead letters to their topic (fresh ids), removing each once its republish is acknowledged')
    .option('--dry-run', 'say what would be redriven, move nothing')
    .option('--rate <n>', 'messages per second at most (default 50)')
    .option('--by <name>', 'who redrives, recorded on each message as mobius-redriven-by (default $USER)');
  dlqAction('purge', 'Remove dead letters for good, after a confirmation')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)');

  program
    .command('resync')
    .description('Compare RAG with Chat and the vector index by row hash (--check), repair the drift (--repair)')
    .option('--check', 'report drift per document; exit 0 none, 1 drift, 2 could not check')
    .option('--repair', "repair the drift through the sinks' guards, with progress; exit 0 when none is left")
    .option('--seed-ledger', "at cutover: record the datapoints the old job wrote (Chat's ids) in the vector ledger")
    .addOption(new Option('--target <target>', 'what to compare with RAG').choices(['chat', 'vertex', 'all']).default('all'))
    .option('--document <id>', 'only this document')
    .option('--json', 'one object per target with the counts and the drifted documents')
    .option('--verify-index <n|all>', 'ledger ids read back from the index by id (default 1000 sampled; any absent: all)')
    .option(...DATA_DIR_OPTION)
    .action(async (options) => (await import('./commands/resync.ts')).resyncCommand(options, io));

  program
    .command('status')
    .description('Backlog, dead letters, outbox, sinks, drift and freshness of the pipeline, as a table or --json (docs/status.md)')
    .option('--json', 'the status object on stdout')
    .option('--watch [seconds]', 'reprint every n seconds (default 5) until Ctrl-C')
    .option('--fail-on <thresholds>', 'exit 2 when one is crossed, e.g. freshness-p99=60s,dead-letters=1,backlog=1000,drift=1')
    .option('--data-dir <dir>', 'the mobius dev to use when no variable says otherwise (default MOBIUS_DATA_DIR or <repo>/.mobius)')
    .action(async (options) => (await import('./commands/status.ts')).statusCommand(options, io));

  program
    .command('token')
    .description("Mint a dev access token (JWT_SECRET, else the running mobius dev's secret) and print it alone on stdout")
    .requiredOption('--user <id>', 'user id (the token sub)')
    .option('--tenant <id>', 'tenant id (default 00000000-0000-0000-0000-000000000001)')
    .option('--minutes <n>', 'lifetime in minutes (default 60)')
    .option(...DATA_DIR_OPTION)
    .action(async (options) => (await import('./commands/token.ts')).tokenCommand(options, io));

  program
    .command('chat')
    .description('Chat database tools')
    .command('clone-rag')
    .description("Copy rag documents, chunks, embeddings and facts from RAG_SOURCE_DATABASE_URL into chat's dev-clone tables")
    .option('--batch-size <n>', 'rows per batch (default 500)')
    .option(...DATA_DIR_OPTION)
    .action(async (options) => (await import('./commands/chat-clone-rag.ts')).chatCloneRagCommand(io, options));

  const snapshot = program.command('snapshot').description('Pub/Sub snapshots: mark a point to replay from (BUS=pubsub)');
  snapshot
    .command('create')
    .description('Snapshot a subscription now (replay later with --from snapshot:NAME)')
    .requiredOption('--subscription <name>', 'the subscription')
    .option('--name <name>', 'snapshot name (default before-<UTC time>)')
    .action(async (options) => (await import('./commands/snapshot.ts')).snapshotCommand('create', options, io));
  snapshot
    .command('list')
    .description("List a subscription's snapshots")
    .requiredOption('--subscription <name>', 'the subscription')
    .action(async (options) => (await import('./commands/snapshot.ts')).snapshotCommand('list', options, io));

  program
    .command('pubsub')
    .description('Pub/Sub administration')
    .command('provision')
    .description('Create the catalogue topics and subscriptions (for PUBSUB_PROVISION=off environments)')
    .option('--dry-run', 'list what would be created')
    .action(async (options) => (await import('./commands/pubsub-provision.ts')).pubsubProvisionCommand(options, io));

  return program;
}

/** Runs the CLI on `argv` (without node and script), returning the process exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CommandExit) {
      if (error.message) io.err(`mobius: ${error.message}`);
      return error.exitCode;
    }
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === 'string' ? `${code}: ` : '';
    io.err(`mobius: error: ${prefix}${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
