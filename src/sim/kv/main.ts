/**
 * `npm run sim:kv -- [--seeds N] [--start S | --seed S] [--duration MS] [--profile JSON] [--trace]`: runs seeds
 * `S..S+N-1` of the KV simulation (a store under the bank workload on virtual time), prints
 * progress and every failing seed with its report, and exits 1 if any failed. `--seed S` runs
 * that one seed and prints its result; `--trace` streams every event of the run (use with one
 * seed); `--profile JSON` forces fields of the profile over every seed's (what a failure's replay
 * line prints when the run had one).
 *
 * Output goes through `process.stdout.write` (the lint keeps `console` out of src/); elapsed
 * time is the real `Env`'s monotonic clock, read only for the progress line — the simulation
 * itself runs on virtual time.
 */
import { runSeeds } from '../seed-runner.js';
import { defaultDurationMs } from './options.js';
import { KvSimFailure, simulateKvSeed, type KvProfileOverrides } from './simulation.js';

interface Args {
  seeds: number;
  start: number;
  durationMs: number;
  trace: boolean;
  profile: KvProfileOverrides | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 20, start: 1, durationMs: defaultDurationMs, trace: false, profile: undefined };
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
    else if (flag === '--seed') {
      args.start = value();
      args.seeds = 1;
    } else if (flag === '--duration') args.durationMs = value();
    else if (flag === '--trace') args.trace = true;
    else if (flag === '--profile') args.profile = parseProfile(argv[++i]);
    else usage(`unknown flag ${flag}`);
  }
  return args;
}

/** `--profile '{"accounts":8,"delays":{"syncMinUs":100}}'`: fields forced over every seed's drawn profile. */
function parseProfile(text: string | undefined): KvProfileOverrides {
  if (text === undefined) usage('--profile takes a JSON object');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) usage('--profile takes a JSON object');
    const profile = parsed as Record<string, unknown>;
    return 'initialBalance' in profile ? { ...profile, initialBalance: BigInt(String(profile.initialBalance)) } : profile;
  } catch (error) {
    return usage(`--profile: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function usage(problem: string): never {
  process.stderr.write(`${problem}\nusage: npm run sim:kv -- [--seeds N] [--start S | --seed S] [--duration MS] [--profile JSON] [--trace]\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  await runSeeds({
    title: `kv simulation: seeds ${args.start}..${args.start + args.seeds - 1}, busy phase ${args.durationMs} virtual ms`,
    start: args.start,
    seeds: args.seeds,
    progressEvery: 10,
    out,
    run: async (seed) => {
      const result = await simulateKvSeed(seed, { durationMs: args.durationMs, traceSink: args.trace ? out : undefined, ...(args.profile === undefined ? {} : { overrides: args.profile }) });
      return `seed ${seed}: ok, hash ${result.hash}, ${result.events} events, ${result.steps} steps, ${(result.virtualTimeUs / 1000).toFixed(0)} virtual ms, ${result.crashes} crashes, bank ${JSON.stringify(result.stats)}${result.registers === undefined ? '' : `, registers ${JSON.stringify(result.registers)}`}${result.gc === undefined ? '' : `, gc ${JSON.stringify(result.gc)}`}${result.snapshots === undefined ? '' : `, snapshots ${JSON.stringify(result.snapshots)}`}`;
    },
    failureReport: (error) => (error instanceof KvSimFailure ? error.report : undefined),
  });
}

await main();
