/**
 * `npm run sim:raft -- [--seeds N] [--start S] [--nodes 3|5] [--duration D] [--trace]
 * [--self-removal]`: runs seeds `S..S+N-1` of the Raft simulation (by default the group size
 * alternates 3/5 with the seed, as in CI), prints progress and every failing seed with its
 * report, and exits 1 if any failed. `--trace` streams every event of the run (use with one
 * seed); `--self-removal` lets leaders propose their own removal (see options.ts).
 *
 * Output goes through `process.stdout.write` (the lint keeps `console` out of src/); elapsed
 * time is the real `Env`'s monotonic clock, read only for the progress line — the simulation
 * itself runs on virtual time.
 */
import { realEnv } from '../../env/real.js';
import { SimFailure, simulateSeed, defaultDuration } from './simulation.js';

interface Args {
  seeds: number;
  start: number;
  nodes: number | undefined;
  duration: number;
  trace: boolean;
  selfRemoval: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 100, start: 1, nodes: undefined, duration: defaultDuration, trace: false, selfRemoval: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): number => {
      const text = argv[++i];
      const n = Number(text);
      if (text === undefined || !Number.isSafeInteger(n) || n < 0) usage(`${flag} takes a non-negative integer`);
      return n;
    };
    if (flag === '--seeds') args.seeds = value();
    else if (flag === '--start') args.start = value();
    else if (flag === '--nodes') args.nodes = value();
    else if (flag === '--duration') args.duration = value();
    else if (flag === '--trace') args.trace = true;
    else if (flag === '--self-removal') args.selfRemoval = true;
    else usage(`unknown flag ${flag}`);
  }
  if (args.nodes !== undefined && (args.nodes < 1 || args.nodes > 7)) usage('--nodes takes 1..7');
  return args;
}

function usage(problem: string): never {
  process.stderr.write(`${problem}\nusage: npm run sim:raft -- [--seeds N] [--start S] [--nodes 3|5] [--duration D] [--trace] [--self-removal]\n`);
  process.exit(2);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const failed: number[] = [];
  const clock = realEnv().clock;
  const started = clock.monotonicNanos();
  const elapsed = (): string => `${(Number(clock.monotonicNanos() - started) / 1e9).toFixed(1)}s`;
  out(`raft simulation: seeds ${args.start}..${args.start + args.seeds - 1}, nodes ${args.nodes ?? '3/5 by seed'}, duration ${args.duration}`);
  for (let seed = args.start; seed < args.start + args.seeds; seed++) {
    try {
      const result = simulateSeed(seed, { nodeCount: args.nodes, duration: args.duration, traceSink: args.trace ? out : undefined,
        overrides: args.selfRemoval ? { leaderRemovesItself: true } : undefined,
      });
      if (args.trace || args.seeds === 1) {
        out(`seed ${seed}: ok, hash ${result.hash}, ${result.events} events, ${result.termsWithLeader} terms with a leader, ${result.acknowledged} acknowledged, stats ${JSON.stringify(result.stats)}`);
      }
    } catch (error) {
      if (!(error instanceof SimFailure)) throw error;
      failed.push(seed);
      out(error.report);
      out(`FAILED seed ${seed}`);
    }
    const done = seed - args.start + 1;
    if (done % 100 === 0 || done === args.seeds) out(`${done}/${args.seeds} seeds, ${failed.length} failed, ${elapsed()}`);
  }
  if (failed.length > 0) {
    out(`failing seeds: ${failed.join(' ')}`);
    process.exit(1);
  }
}

main();
