// `npm run cli -- create-admin --email <email> [--name <name>]`: an admin account from the shell — the first admin of
// a production install (beside the setup link `npm start` prints), or a way back in when no admin can sign in.
// The password never goes on the command line (shell history, `ps`): it is asked for twice without echo on a
// terminal, else read from the first line of stdin.
import { parseArgs as parseNodeArgs } from "node:util";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { emailSchema, passwordSchema, personNameSchema } from "@/server/schemas/user";

export const usage = `create-admin: make an admin account (the first one of a fresh install, or a way back in)
  npm run cli -- create-admin --email <email> [--name <name>]
    asks for the password twice (not echoed); when stdin is not a terminal, reads it from stdin's first line:
    printf '%s\\n' "$ADMIN_PASSWORD" | npm run cli -- create-admin --email admin@example.com`;

const argsSchema = z.object({
  email: z.string({ error: "--email <email> is required" }).pipe(emailSchema),
  name: personNameSchema.default("Admin"),
});

export function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseNodeArgs({ args: argv, strict: true, allowPositionals: false, options: { email: { type: "string" }, name: { type: "string" } } }));
  } catch (err) {
    throw new AppError("BAD_REQUEST", err instanceof Error ? err.message : String(err));
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("BAD_REQUEST", issue.message.startsWith("--") ? issue.message : `--${String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

/** One line typed on the terminal without echo (raw mode: the characters never reach the screen). */
function askHidden(input: NodeJS.ReadStream, question: string): Promise<string> {
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish(), resolve(value);
        if (ch === "\u0003" || ch === "\u0004") return finish(), reject(new AppError("BAD_REQUEST", "cancelled"));
        value = ch === "\u007f" || ch === "\b" ? value.slice(0, -1) : value + ch;
      }
    };
    input.on("data", onData);
  });
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/, 1)[0];
}

async function readPassword(input: NodeJS.ReadableStream): Promise<string> {
  const tty = input as NodeJS.ReadStream;
  if (!tty.isTTY) return firstLine(input);
  const password = await askHidden(tty, "Password (at least 8 characters): ");
  if ((await askHidden(tty, "Repeat the password: ")) !== password) throw new AppError("BAD_REQUEST", "the passwords do not match");
  return password;
}

export async function run(argv: string[], input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  let password: string;
  try {
    args = parseArgs(argv);
    const parsed = passwordSchema.safeParse(await readPassword(input));
    if (!parsed.success) throw new AppError("BAD_REQUEST", `password: ${parsed.error.issues[0].message}`);
    password = parsed.data;
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n\n${usage}\n`);
    return 2;
  }
  // loaded after the arguments check so that mistakes need no database
  const { addPerson } = await import("@/server/services/users");
  const { consoleUrl } = await import("@/server/env");
  try {
    await addPerson({ actorId: null, email: args.email, name: args.name, password, role: "ADMIN" });
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write(`Admin ${args.email} created. Sign in at ${consoleUrl()}/signin\n`);
  return 0;
}
