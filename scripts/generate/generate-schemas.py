"""Writes schemas/*.schema.json, the documented shape of every JSON output (README, "JSON output").
Edit the shapes here, run `python3 scripts/generate/generate-schemas.py`, and commit both; PromiseTests
validates real output against the files.
"""
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas")
D="https://json-schema.org/draft/2020-12/schema"
def obj(props, desc=None):
    o={"type":"object","additionalProperties":False,"required":sorted(props),"properties":props}
    if desc: o["description"]=desc
    return o
S=lambda d=None: {"type":"string", **({"description":d} if d else {})}
N=lambda d=None: {"type":"number", **({"description":d} if d else {})}
I=lambda d=None: {"type":"integer", **({"description":d} if d else {})}
B=lambda d=None: {"type":"boolean", **({"description":d} if d else {})}
def null(t):
    t=dict(t)
    if "enum" in t: t["enum"]=t["enum"]+[None]
    else: t["type"]=[t["type"],"null"]
    return t
def arr(items): return {"type":"array","items":items}
def enum(values, d=None): return {"enum":values, **({"description":d} if d else {})}
V={"const":1,"description":"Bumped on any breaking change of this shape."}
def write(name, title, desc, schema):
    schema={"$schema":D,"$id":f"https://github.com/lambda-async/lambda-async/schemas/{name}.schema.json","title":title,"description":desc, **schema}
    open(os.path.join(OUT, f"{name}.schema.json"),"w").write(json.dumps(schema, indent=2)+"\n")
strategy=enum(["async-invoke","streaming","extension","custom-runtime"])
comparison=obj({"schemaVersion":V,
  "dimensions":arr(obj({"id":S(),"title":S()})),
  "strategies":arr(obj({"id":strategy,"title":S(),"facts":{"type":"object","additionalProperties":S(),"description":"Keyed by dimension id."}}))})
write("compare","lambda-async compare --format json","The comparison: the dimensions and strategies asked for, in catalog order.",comparison)
write("recommend","lambda-async recommend --format json","The recommended strategy for a situation, with the reasons.",obj({
  "schemaVersion":V,
  "situation":obj({"language":null(S()),"frontDoor":null(S()),"mustComplete":B(),"responseSizeBytes":null(I()),"taskPayloadBytes":null(I())}),
  "recommended":null(strategy),"runnerUp":null({**strategy, "description":"null when every other strategy is ruled out"}),
  "ruledOut":arr(strategy),
  "reasons":arr(obj({"strategy":strategy,"effect":enum(["favours","disfavours","rules-out"]),"dimension":S(),"text":S(),"fact":S("The comparison's cell the reason rests on.")}))}))
write("new-list","lambda-async new --list --format json","Every language and strategy, with what each generates or why it is refused.",obj({
  "schemaVersion":V,
  "cells":arr(obj({"language":enum(["python","node"]),"strategy":strategy,"variant":null(S("internal or external, for the extension strategy")),"supported":B(),"generates":S("What the cell generates, or why it is refused.")}))}))
write("new","lambda-async new --format json (with --dry-run or not)","The project generated (written: true) or that would be.",obj({
  "schemaVersion":V,"directory":S(),"written":B(),"language":enum(["python","node"]),"strategy":strategy,"variant":null(S()),
  "files":arr(obj({"path":S(),"executable":B(),"bytes":I()}))}))
finding=obj({"severity":enum(["error","warning"]),"message":S()})
write("package","lambda-async package --format json","The zips built or found up to date.",obj({
  "schemaVersion":V,
  "artifacts":arr(obj({"name":S(),"kind":enum(["function","layer","bootstrap"]),"path":S(),"files":I(),"unzippedBytes":I(),"zippedBytes":I(),
     "codeSha256":S("Base64 SHA-256 of the zip, as Lambda's CodeSha256."),"sha256":S("Hex SHA-256 of the zip."),"upToDate":B(),"warnings":arr(finding)})),
  "template":null(S("The template rewritten to point at the zips; null when packaging one folder.")),
  "skipped":arr(S())}))
write("inspect","lambda-async inspect --format json","A zip's entries and what Lambda would make of them.",obj({
  "schemaVersion":V,"zip":S(),"codeSha256":S(),"zippedBytes":I(),
  "entries":arr(obj({"path":S(),"type":enum(["file","directory","symlink"]),"mode":S("Octal Unix permissions, e.g. 0755."),"size":I(),"target":null(S("A symlink's target."))})),
  "findings":arr(finding)}))
ms=lambda d=None: null(N(d))
write("invoke-report","lambda-async invoke --report (one JSON object per line)","One invocation, measured.",obj({
  "schemaVersion":V,"requestId":S(),"initDurationMs":ms("Set on a cold start."),"responseMs":ms(),
  "firstByteMs":ms("When the client had the first byte: a stream's first chunk, or the whole buffered response."),"runtimeDoneMs":ms(),
  "extensionsDoneMs":ms("When the last INVOKE-subscribed extension asked for its next event; null without one."),
  "doneMsByExtension":{"type":"object","additionalProperties":N()},
  "durationMs":N(),"billedDurationMs":I(),"memorySizeMB":I(),"maxMemoryUsedMB":I(),"frozen":B(),
  "error":null(S("Lambda's error type, e.g. Unhandled, Runtime.ExitError, Sandbox.Timedout.")),"clientLatencyMs":ms(),
  "executionLog":null(S("The log's tail, when asked for (X-Amz-Log-Type: Tail)."))}))
sample=obj({"clientLatencyMs":N(),"clientFirstByteMs":N("Time to first byte; the latency itself when the response is buffered."),"billedMs":I(),"requests":I(),"postResponseMs":N(),"initMs":ms()})
row=obj({"id":S(),"title":S(),"language":S(),"note":null(S()),"samples":arr(sample),"latencyP50Ms":N(),"latencyP95Ms":N(),"firstByteP50Ms":N(),"firstByteP95Ms":N(),
  "billedMsPerCall":N(),"requestsPerCall":N(),"postResponseMs":N(),"coldInitMs":ms(),"costPerMillionCalls":N(),
  "taskBeforeFreezePercent":ms(),"taskDelayedPercent":ms(),"taskLostPercent":ms()})
write("measure","lambda-async compare --measure --format json","Each strategy measured in the local runner, priced, with the comparison's facts.",obj({
  "schemaVersion":V,
  "measured":obj({"schemaVersion":V,"workload":obj({"language":S(),"syncMs":I(),"taskMs":I(),"memoryMB":I(),"architecture":enum(["x86_64","arm64"]),"invocations":I(),"region":S()}),
     "pricesAsOf":S(),"perRequestUSD":N(),"perGBSecondUSD":N(),"rows":arr(row)}),
  "comparison":comparison}))
write("deploy","lambda-async deploy --format json (and --delete)","What a deploy did: the identity, the artifacts, the change set, the stack's state, its outputs, the code checked.",obj({
  "schemaVersion":V,"stackName":S(),"region":S(),"account":S(),"caller":S("The identity's ARN (sts:GetCallerIdentity)."),
  "credentials":S("Where the credentials came from."),"bucket":S("The artifacts bucket; empty for --delete."),
  "uploaded":arr(S("A zip sent to S3.")),"reused":arr(S("A zip S3 had already (same content, same key).")),
  "changeSet":null(S("The change set's id; null when there was nothing to change, or with --delete.")),
  "changes":arr(obj({"action":S(),"logicalID":S(),"type":S(),"replacement":null(S("True, False or Conditional.")),"iam":B()})),
  "status":S("The stack's final state."),"noChanges":B(),
  "outputs":arr(obj({"key":S(),"value":S(),"description":null(S())})),
  "codeVerified":arr(S("A function whose live CodeSha256 is its local zip's.")),
  "retained":arr(S("With --delete: what CloudFormation kept (DeletionPolicy Retain)."))}))
