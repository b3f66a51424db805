// HTTP to Lambda's local APIs with node:http rather than fetch: a long poll (/next) may wait for
// hours while the environment is frozen, and fetch's default 300-second header timeout would then
// fail it at the first thaw. node:http sets no timeout.
import http from "node:http";

export function request(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const req = http.request(url, {
      method,
      headers: { ...headers, ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}) },
    }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode, headers: res.headers, text, json: () => (text ? JSON.parse(text) : null) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}
