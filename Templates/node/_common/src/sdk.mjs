// The AWS SDK v3 that the Node.js managed runtimes ship (no package to install). From the function's
// code an ES import finds it; an extension's code (under /opt) is outside the runtime's module
// paths, so there it is resolved as CommonJS resolves it, through NODE_PATH and the runtime's folder.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export async function awsSdk(name) {
  try {
    return await import(name);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    const paths = [...(process.env.NODE_PATH ?? "").split(":").filter(Boolean), "/var/runtime/node_modules"];
    return import(pathToFileURL(createRequire(import.meta.url).resolve(name, { paths })).href);
  }
}
