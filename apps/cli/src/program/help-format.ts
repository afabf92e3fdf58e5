import { Help, type Command } from 'commander';

/** The commands that do something under `command`: groups (`dlq`) are opened up into their verbs (`dlq list`, `dlq show`, ...). */
function leafCommands(command: Command, helper: Help): Command[] {
  return helper.visibleCommands(command).flatMap((sub) => (sub.commands.length > 0 ? leafCommands(sub, helper) : [sub]));
}

/** `dlq list`: the words after the program's name that run `command`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/**
 * commander's help, with the list of commands flattened: `vigil --help`
 * names every command a user can run (`dlq list [options]`, `spool status
 * [options]`), not only the groups, so one screen shows all of them. Only
 * the listing is changed: the suggestions for a mistyped command still
 * come from the direct subcommands.
 */
export function formatHelpWithEveryCommand(command: Command, helper: Help): string {
  const flat: Help = Object.create(helper) as Help;
  flat.visibleCommands = (of) => leafCommands(of, helper);
  flat.subcommandTerm = (sub) => {
    const own = helper.subcommandTerm(sub);
    const parentPath = sub.parent === null ? '' : commandPath(sub.parent);
    return parentPath === '' ? own : `${parentPath} ${own}`;
  };
  return Help.prototype.formatHelp.call(flat, command, flat);
}
