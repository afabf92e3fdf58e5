import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: `COPY --from=build /app/dist ./dist` is keyword COPY, flags {from: build}, words [/app/dist, ./dist]. */
export interface Instruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  /** Everything after the flags, as written (continuation lines joined). */
  readonly rest: string;
}

export interface Stage {
  readonly name: string | undefined;
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

/**
 * The Dockerfile as stages of instructions: enough of the format for the
 * checks in test/deploy (comments, `\` continuations, `--flag=value`, `FROM x AS y`).
 * No docker here to build it, so its shape is what can be checked.
 */
export function parseDockerfile(path: string): readonly Stage[] {
  const logical = readFileSync(path, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { name: string | undefined; base: string; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const [, keyword = '', body = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const flags: Record<string, string> = {};
    let rest = body;
    for (let flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest); flag !== null; flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)) {
      flags[flag[1]!] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
    const instruction = { keyword: keyword.toUpperCase(), flags, rest };
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = rest.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, base, instructions: [] });
    } else if (instruction.keyword !== 'ARG' || stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

export function stageNamed(stages: readonly Stage[], name: string): Stage {
  const stage = stages.find((candidate) => candidate.name === name);
  if (stage === undefined) throw new Error(`the Dockerfile has no stage ${name} (has ${stages.map((s) => s.name).join(', ')})`);
  return stage;
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK CMD; undefined for the shell form. */
export function execForm(rest: string): string[] | undefined {
  const json = rest.replace(/^CMD\s+/, '');
  if (!json.startsWith('[')) return undefined;
  return JSON.parse(json) as string[];
}

/** ENV of a stage, `ENV A=1 B=2` form (values without spaces, as this Dockerfile has them). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { rest } of stage.instructions.filter((instruction) => instruction.keyword === 'ENV')) {
    for (const pair of rest.split(/\s+/)) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`ENV ${rest}: expected KEY=value pairs`);
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return env;
}

export interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

export function stageCopies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map(({ flags, rest }) => {
      const words = rest.split(/\s+/);
      return { from: flags.from, sources: words.slice(0, -1), dest: words.at(-1)! };
    });
}

export function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
}
