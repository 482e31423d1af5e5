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
import { runSeeds } from '../seed-runner.js';
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  await runSeeds({
    title: `raft simulation: seeds ${args.start}..${args.start + args.seeds - 1}, nodes ${args.nodes ?? '3/5 by seed'}, duration ${args.duration}`,
    start: args.start,
    seeds: args.seeds,
    progressEvery: 100,
    out,
    run: (seed) => {
      const result = simulateSeed(seed, { nodeCount: args.nodes, duration: args.duration, traceSink: args.trace ? out : undefined,
        overrides: args.selfRemoval ? { leaderRemovesItself: true } : undefined,
      });
      if (!args.trace && args.seeds !== 1) return undefined;
      return `seed ${seed}: ok, hash ${result.hash}, ${result.events} events, ${result.termsWithLeader} terms with a leader, ${result.acknowledged} acknowledged, stats ${JSON.stringify(result.stats)}`;
    },
    failureReport: (error) => (error instanceof SimFailure ? error.report : undefined),
  });
}

await main();
