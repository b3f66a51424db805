// At most one successful run per task id. Lambda runs an asynchronous event again when it fails
// (twice by default), clients send a request again, queues redeliver: each carries the same task id,
// and a task that already succeeded is not run again; its first result is returned.
//
// With IDEMPOTENCY_TABLE set (`lambda-async new --idempotency` adds the DynamoDB table to
// template.yaml) the record is shared by every execution environment. Without it only this
// environment remembers, so a retry that lands in another environment runs the task again: then
// make the task itself safe to repeat (a conditional write, an upsert).
import { logger } from "./log.mjs";
import { awsSdk } from "./sdk.mjs";

// How long a finished task is remembered; Lambda gives up on an asynchronous event after 6 hours.
export const EXPIRES_AFTER_S = 6 * 3600;
const REMEMBERED = 1000;

/** Another environment is running this task now: this run fails, so it is retried later. */
export class AlreadyInProgress extends Error {
  name = "AlreadyInProgress";
}

export const done = new Map();

/** How the table is reached: the AWS SDK v3 the Node.js runtimes ship. Tests replace `client`. */
export const store = {
  client: null,
  async send(command, input) {
    const sdk = await awsSdk("@aws-sdk/client-dynamodb");
    this.client ??= new sdk.DynamoDBClient({});
    return this.client.send(new sdk[command](input));
  },
};

export async function once(task, fn, remainingMs = () => 60_000) {
  const key = task?.taskId;
  if (key === undefined || key === null) return fn(task);
  const table = process.env.IDEMPOTENCY_TABLE;
  return table ? inDynamoDB(table, String(key), task, fn, remainingMs) : inThisEnvironment(key, task, fn);
}

async function inThisEnvironment(key, task, fn) {
  if (done.has(key)) {
    logger.info("task already done in this environment; not run again", { taskId: key });
    return done.get(key);
  }
  const result = await fn(task);
  done.set(key, result);
  if (done.size > REMEMBERED) done.delete(done.keys().next().value);
  return result;
}

/** One item per task id: INPROGRESS while a run holds it (until the invocation's deadline, so a
 * crashed environment does not hold it for ever), COMPLETED with the result afterwards. */
async function inDynamoDB(table, key, task, fn, remainingMs) {
  const now = Date.now();
  try {
    await store.send("PutItemCommand", {
      TableName: table,
      Item: {
        id: { S: key },
        status: { S: "INPROGRESS" },
        expiration: { N: String(Math.floor(now / 1000) + EXPIRES_AFTER_S) },
        in_progress_expiration: { N: String(now + remainingMs()) },
      },
      ConditionExpression: "attribute_not_exists(id) OR expiration < :now OR (#status = :inprogress AND in_progress_expiration < :now_ms)",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":now": { N: String(Math.floor(now / 1000)) }, ":now_ms": { N: String(now) }, ":inprogress": { S: "INPROGRESS" } },
    });
  } catch (error) {
    if (error?.name !== "ConditionalCheckFailedException") throw error;
    const { Item: item = {} } = await store.send("GetItemCommand", { TableName: table, Key: { id: { S: key } }, ConsistentRead: true });
    if (item.status?.S === "COMPLETED") {
      logger.info("task already done; not run again", { taskId: key });
      return JSON.parse(item.data?.S ?? "null");
    }
    throw new AlreadyInProgress(`task ${key} is being run by another invocation`);
  }
  let result;
  try {
    result = await fn(task);
  } catch (error) {
    // Not done: the next attempt, here or elsewhere, may take the task.
    await store.send("DeleteItemCommand", { TableName: table, Key: { id: { S: key } } });
    throw error;
  }
  await store.send("UpdateItemCommand", {
    TableName: table,
    Key: { id: { S: key } },
    UpdateExpression: "SET #status = :completed, #data = :data REMOVE in_progress_expiration",
    ExpressionAttributeNames: { "#status": "status", "#data": "data" },
    ExpressionAttributeValues: { ":completed": { S: "COMPLETED" }, ":data": { S: JSON.stringify(result ?? null) } },
  });
  return result;
}
