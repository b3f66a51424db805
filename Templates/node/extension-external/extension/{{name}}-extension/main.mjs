// Entry point of the extension process: its name (the file in extensions/) is the first argument.
import { main } from "./task-extension.mjs";

// This process is not the runtime, so Lambda's JSON log format does not reach it: each console call
// writes one JSON line itself, with its level and the extension's name.
for (const level of ["debug", "info", "warn", "error"]) {
  console[level] = (fields) => {
    const body = fields !== null && typeof fields === "object" && !(fields instanceof Error) ? fields : { message: String(fields?.stack ?? fields) };
    process.stdout.write(JSON.stringify({ level: level.toUpperCase(), extension: process.argv[2], ...body }) + "\n");
  };
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
