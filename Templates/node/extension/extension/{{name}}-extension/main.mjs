// Entry point of the extension process: its name (the file in extensions/) is the first argument.
import { main } from "./task-extension.mjs";

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
