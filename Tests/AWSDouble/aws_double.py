#!/usr/bin/env python3
"""lambda-async's offline AWS, for `deploy` tests and for trying `deploy` without an account.

It is moto's server (S3, IAM, STS, Lambda, CloudFormation, SQS, DynamoDB, Logs, SNS, CloudWatch) with
the gaps `deploy` would fall into filled, and nothing else:

- The SAM transform. A template declaring `Transform: AWS::Serverless-2016-10-31` that reaches
  CreateChangeSet, CreateStack or UpdateStack is translated with samtranslator, the open-source code
  CloudFormation itself runs for that transform, with the request's parameter values. A transform
  error is refused with the transform's message (CloudFormation fails the change set with the same text).
- Resources moto's CloudFormation does not know: `AWS::Lambda::Url`, `AWS::Lambda::EventInvokeConfig`
  and `AWS::Lambda::Alias` (SAM's AutoPublishAlias) are taken out of the template moto sees and made through moto's Lambda backend once the change set
  has run; a `GetAtt` of a URL's `FunctionUrl` in the outputs is then replaced by the real URL.
- Failures: moto answers ExecuteChangeSet with an error (400, 500) when it refuses or fails to make
  or update a resource; the stack is rolled back instead (ROLLBACK_COMPLETE or UPDATE_ROLLBACK_COMPLETE, with a *_FAILED event), as CloudFormation.
- What moto's CloudFormation drops: functions' `Architectures`, `Layers` and `Tags` are set on the
  function moto made, roles' `ManagedPolicyArns` attached (those moto knows), and an update's new code is loaded (moto's stack update keeps the old zip).
  Layers of other accounts (Powertools' public layer) are left out and logged. A function's
  `DurableConfig` is kept beside moto and added to GetFunctionConfiguration's and GetFunction's answers.

Usage: aws_double.py PORT  (then AWS_ENDPOINT_URL=http://127.0.0.1:PORT)
"""
import json
import os
import sys
import threading
import time
import urllib.parse

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
# AWS managed policies (AWSLambdaBasicExecutionRole), so roles can have them attached.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.server import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import run_simple  # noqa: E402

ACCOUNT = "123456789012"
SAM = "AWS::Serverless-2016-10-31"
GAPS = ("AWS::Lambda::Url", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::Alias")
# Per region and function name: the DurableConfig moto's Lambda does not keep, answered with its configuration.
durable_configs = {}
# Per stack: the resources taken out of the last change set, applied when it runs.
pending = {}
lock = threading.Lock()


def log(message):
    sys.stderr.write(f"[aws-double] {message}\n")


def region_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        return auth.split("Credential=")[1].split("/")[2]
    except IndexError:
        return "us-east-1"


def backend(service, region):
    from moto.backends import get_backend
    return get_backend(service)[ACCOUNT][region]


def load_template(text):
    from cfnlint.decode import decode_str
    template, matches = decode_str(text)
    if template is None:
        raise ValueError("; ".join(str(m.message) for m in matches) or "the template is not JSON or YAML")
    return json.loads(json.dumps(template, default=str))


def template_from_url(url, region):
    parsed = urllib.parse.urlparse(url)
    parts = parsed.path.lstrip("/").split("/", 1)
    if parsed.hostname and ".s3" in parsed.hostname and not parsed.hostname.startswith("s3"):
        bucket, key = parsed.hostname.split(".s3")[0], parsed.path.lstrip("/")
    else:
        bucket, key = parts[0], parts[1]
    return backend("s3", "global").get_object(bucket, urllib.parse.unquote(key)).value.decode()


def sam_transform(template, parameters, region):
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    os.environ["AWS_DEFAULT_REGION"] = region
    return transform(template, parameters, NoManagedPolicies())


def replace_url_outputs(node, urls, aliases=()):
    """`GetAtt X.FunctionUrl` of a URL moto cannot make, `Ref` of an alias → a marker replaced after execution."""
    if isinstance(node, dict):
        if node.get("Ref") in aliases:
            return f"lambda-async-double:alias:{node['Ref']}"
        attr = node.get("Fn::GetAtt")
        if isinstance(attr, str):
            attr = attr.split(".", 1)
        if isinstance(attr, list) and len(attr) == 2 and attr[0] in urls:
            return f"lambda-async-double:url:{attr[0]}"
        return {k: replace_url_outputs(v, urls, aliases) for k, v in node.items()}
    if isinstance(node, list):
        return [replace_url_outputs(v, urls, aliases) for v in node]
    return node


def prepare(form, region):
    """The template moto will see; None when the request carries none."""
    stack = form.get("StackName", [""])[0]
    if "TemplateBody" in form:
        text = form["TemplateBody"][0]
    elif "TemplateURL" in form:
        text = template_from_url(form["TemplateURL"][0], region)
    else:
        return None
    template = load_template(text)
    transforms = template.get("Transform", [])
    if (transforms == SAM) or (isinstance(transforms, list) and SAM in transforms):
        parameters = {}
        index = 1
        while f"Parameters.member.{index}.ParameterKey" in form:
            parameters[form[f"Parameters.member.{index}.ParameterKey"][0]] = form.get(f"Parameters.member.{index}.ParameterValue", [""])[0]
            index += 1
        template = sam_transform(template, parameters, region)
    resources = template.get("Resources", {})
    gaps = {name: resources.pop(name) for name in list(resources) if resources[name].get("Type") in GAPS}
    functions = {name: r.get("Properties", {}) for name, r in resources.items() if r.get("Type") == "AWS::Lambda::Function"}
    dropped = {}
    for name, properties in functions.items():
        layers = [l for l in properties.get("Layers", []) if not (isinstance(l, str) and f":{ACCOUNT}:" not in l and l.startswith("arn:"))]
        if len(layers) != len(properties.get("Layers", [])):
            log(f"{name}: public layers of other accounts left out (moto cannot resolve them)")
        dropped[name] = {"Architectures": properties.get("Architectures"), "Layers": layers, "Code": properties.get("Code"),
                         "Tags": properties.get("Tags", []), "DurableConfig": properties.pop("DurableConfig", None)}
        # moto's CloudFormation does not apply Layers, and fails to update a function that has them.
        properties.pop("Layers", None)
    roles = {name: r.get("Properties", {}).get("ManagedPolicyArns", []) for name, r in resources.items() if r.get("Type") == "AWS::IAM::Role"}
    template["Outputs"] = replace_url_outputs(template.get("Outputs", {}), {n for n, r in gaps.items() if r["Type"] == "AWS::Lambda::Url"},
                                              {n for n, r in gaps.items() if r["Type"] == "AWS::Lambda::Alias"})
    with lock:
        pending[stack] = {"gaps": gaps, "functions": dropped, "roles": roles}
    return json.dumps(template)


def resolve(value, physical, resources=None):
    """Refs (a parameter's value, a resource's physical id) and GetAtts (through moto's resource),
    anywhere in `value`."""
    if isinstance(value, dict):
        if "Ref" in value:
            return physical.get(value["Ref"], value["Ref"])
        attr = value.get("Fn::GetAtt")
        if attr:
            name, attribute = attr if isinstance(attr, list) else attr.split(".", 1)
            resource = (resources or {}).get(name)
            try:
                return resource.get_cfn_attribute(attribute)
            except Exception:  # noqa: BLE001 (moto does not know the attribute: the physical id)
                return physical.get(name, name)
        return {k: resolve(v, physical, resources) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, physical, resources) for v in value]
    return value


def after_execute(stack_name, region):
    with lock:
        work = pending.pop(stack_name, None)
    if not work:
        return
    cloudformation = backend("cloudformation", region)
    stack = cloudformation.get_stack(stack_name)
    # moto computes a change set's outputs before its resources exist: again, now that they do.
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    # Refs to parameters (Architectures: [!Ref Architecture]) and to the stack's resources.
    physical = dict(getattr(stack.resource_map, "resolved_parameters", {}))
    physical.update({name: getattr(resource, "physical_resource_id", name) for name, resource in stack.resource_map.items()})
    lam = backend("lambda", region)
    for name, extra in work["functions"].items():
        try:
            function = lam.get_function(physical[name])
        except Exception:  # noqa: BLE001 (the function was not made: the stack failed)
            continue
        code = extra.get("Code") or {}
        if "S3Key" in code:
            # moto's stack update keeps a function's old code: its new zip, as CloudFormation would.
            lam.update_function_code(function.function_name, None, {"S3Bucket": resolve(code.get("S3Bucket"), physical),
                                                                     "S3Key": resolve(code["S3Key"], physical)})
        if extra.get("Tags"):
            lam.tag_resource(function.function_arn, {t["Key"]: str(resolve(t["Value"], physical)) for t in extra["Tags"]})
        if extra.get("DurableConfig"):
            durable_configs[(region, function.function_name)] = {k: int(resolve(v, physical)) for k, v in extra["DurableConfig"].items()}
        if extra["Architectures"]:
            function.architectures = [resolve(a, physical) for a in extra["Architectures"]]
        if extra["Layers"]:
            arns = []
            for layer in extra["Layers"]:
                value = resolve(layer, physical)
                if not str(value).startswith("arn:"):  # a layer of the stack, named after it by moto
                    for listed in lam.list_layers():
                        if str(value) in listed["LayerName"]:
                            value = listed["LatestMatchingVersion"]["LayerVersionArn"]
                arns.append(value)
            function.layers = function._get_layers_data(arns)
    iam = backend("iam", "global")
    for name, arns in work.get("roles", {}).items():
        for arn in resolve(arns, physical):
            try:
                iam.attach_role_policy(arn, physical.get(name, name))
            except Exception as error:  # noqa: BLE001 (an AWS managed policy moto has not loaded)
                log(f"{name}: {arn} not attached ({error!r})")
    for name, resource in work["gaps"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Lambda::Url":
            target = resolve(properties["TargetFunctionArn"], physical)
            config = {k: v for k, v in properties.items() if k in ("AuthType", "Cors", "InvokeMode")}
            try:
                url = lam.get_function_url_config(target).to_dict()["FunctionUrl"]
            except Exception:  # noqa: BLE001 (none yet)
                url = lam.create_function_url_config(target, config).to_dict()["FunctionUrl"]
            marker = f"lambda-async-double:url:{name}"
            for key in list(stack.output_map.outputs):
                output = stack.output_map[key]
                if output is not None and output.value == marker:
                    output.value = url
        elif resource["Type"] == "AWS::Lambda::Alias":
            target = resolve(properties["FunctionName"], physical)
            # SAM's `GetAtt FunctionVersionXXX.Version`: moto's version resource knows its number, not the attribute.
            reference = properties["FunctionVersion"]
            attr = reference.get("Fn::GetAtt") if isinstance(reference, dict) else None
            if attr:
                published = stack.resource_map[attr[0] if isinstance(attr, list) else attr.split(".", 1)[0]]
                version = str(getattr(published, "version", "$LATEST"))
            else:
                version = str(resolve(reference, physical)).rsplit(":", 1)[-1]
            try:
                alias = lam.update_alias(properties["Name"], target, version, properties.get("Description", ""), None)
            except Exception:  # noqa: BLE001 (none yet)
                alias = lam.create_alias(properties["Name"], target, version, properties.get("Description", ""), None)
            marker = f"lambda-async-double:alias:{name}"
            for key in list(stack.output_map.outputs):
                output = stack.output_map[key]
                if output is not None and output.value == marker:
                    output.value = alias.arn
        else:
            target = resolve(properties["FunctionName"], physical)
            config = {k: resolve(v, physical, dict(stack.resource_map.items())) for k, v in properties.items() if k not in ("FunctionName", "Qualifier")}
            lam.put_function_event_invoke_config(target, config)


def before_delete(stack_name, region):
    """The managed policies attached above: moto's stack deletion does not detach them, and IAM
    refuses to delete a role that has any."""
    try:
        stack = backend("cloudformation", region).get_stack(stack_name)
    except Exception:  # noqa: BLE001 (no such stack: moto answers that itself)
        return
    iam = backend("iam", "global")
    # The resources moto made (iterating the map itself would try to make the missing ones).
    for name, resource in list(getattr(stack.resource_map, "_parsed_resources", {}).items()):
        if resource is None or getattr(resource, "cloudformation_type", lambda: "")() != "AWS::IAM::Role":
            continue
        role = getattr(resource, "physical_resource_id", name)
        for policy in list(getattr(resource, "managed_policies", {}).keys()):
            try:
                iam.detach_role_policy(policy, role)
            except Exception as error:  # noqa: BLE001
                log(f"{role}: {policy} not detached ({error!r})")


class Double:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith("/2015-03-31/functions/") and durable_configs:
            return self.with_durable_config(environ, start_response, path)
        if environ.get("REQUEST_METHOD") != "POST" or "x-www-form-urlencoded" not in environ.get("CONTENT_TYPE", ""):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
        action = form.get("Action", [""])[0]
        region = region_of(environ)
        if action in ("CreateChangeSet", "CreateStack", "UpdateStack") and "cloudformation" in environ.get("HTTP_AUTHORIZATION", ""):
            try:
                template = prepare(form, region)
            except Exception as error:  # noqa: BLE001 (the transform's refusal, as CloudFormation gives it)
                return self.refuse(start_response, f"Transform {SAM} failed with: {error}")
            if template is not None:
                form.pop("TemplateURL", None)
                form["TemplateBody"] = [template]
                body = urllib.parse.urlencode(form, doseq=True).encode()
        environ["wsgi.input"] = __import__("io").BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        if action == "ExecuteChangeSet":
            return self.execute(environ, start_response, form, region)
        if action == "DeleteStack":
            before_delete(form.get("StackName", [""])[0], region)
        result = self.app(environ, start_response)
        if action == "CreateStack":
            try:
                after_execute(form.get("StackName", [""])[0], region)
            except Exception as error:  # noqa: BLE001
                log(f"could not fill the gaps of {form.get('StackName')}: {error!r}")
        return result

    def execute(self, environ, start_response, form, region):
        """moto answers HTTP 500 when it cannot make or update a resource; CloudFormation would roll
        the stack back and record why. So does this: the stack ends in (UPDATE_)ROLLBACK_COMPLETE."""
        answer = {}

        def capture(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers

        try:
            body = b"".join(self.app(environ, capture))
        except Exception as error:  # noqa: BLE001 (moto's own failure: werkzeug would answer 500)
            log(f"moto failed to execute the change set: {error!r}")
            answer["status"], body = "500 Internal Server Error", b""
        stack_name = form.get("StackName", [""])[0]
        if not answer["status"].startswith("2"):
            # A resource moto refused (400, its validation) or failed on (500): the stack's failure.
            stack = backend("cloudformation", region).get_stack(stack_name)
            created = stack.status in ("REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_PENDING", "CREATE_FAILED")
            failed = "ROLLBACK_COMPLETE" if created else "UPDATE_ROLLBACK_COMPLETE"
            message = body.decode(errors="replace").split("<Message>")[-1].split("</Message>")[0] if b"<Message>" in body else ""
            reason = message or "a resource could not be created or updated (moto raised an error; CloudFormation would roll back)"
            stack._add_stack_event("CREATE_FAILED" if created else "UPDATE_FAILED", resource_status_reason=reason)
            stack._add_stack_event(failed)
            stack.status = failed
            with lock:
                pending.pop(stack_name, None)
            log(f"{stack_name}: {failed} ({reason})")
            body = b'<ExecuteChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ExecuteChangeSetResult/></ExecuteChangeSetResponse>'
            start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
            return [body]
        start_response(answer["status"], answer["headers"])
        try:
            after_execute(stack_name, region)
        except Exception as error:  # noqa: BLE001
            log(f"could not fill the gaps of {stack_name}: {error!r}")
        return [body]

    def with_durable_config(self, environ, start_response, path):
        """GetFunction and GetFunctionConfiguration of a durable function: moto's answer with its DurableConfig."""
        answer = {}

        def capture(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers

        body = b"".join(self.app(environ, capture))
        target = urllib.parse.unquote(path.split("/")[3])
        # A name, a partial ARN (123456789012:function:name) or an ARN, with a qualifier or not.
        name = target.split(":function:")[-1].split(":")[0] if ":function:" in target else target.split(":")[0]
        config = durable_configs.get((region_of(environ), name))
        if config and answer["status"].startswith("200"):
            document = json.loads(body)
            target = document.get("Configuration", document)
            target["DurableConfig"] = config
            body = json.dumps(document).encode()
            answer["headers"] = [(k, v) for k, v in answer["headers"] if k.lower() != "content-length"] + [("Content-Length", str(len(body)))]
        start_response(answer["status"], answer["headers"])
        return [body]

    @staticmethod
    def refuse(start_response, message):
        body = f"""<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>
<Code>ValidationError</Code><Message>{message.replace('&', '&amp;').replace('<', '&lt;')}</Message></Error><RequestId>double</RequestId></ErrorResponse>""".encode()
        start_response("400 Bad Request", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]


def exit_with_parent():
    """With LAMBDA_ASYNC_DOUBLE_EXIT_WITH_PARENT set (a test suite shares one double), the double
    ends when the process that started it does, however that ends."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    if os.environ.get("LAMBDA_ASYNC_DOUBLE_EXIT_WITH_PARENT"):
        exit_with_parent()
    app = Double(DomainDispatcherApplication(create_backend_app))
    log(f"moto + SAM transform on http://127.0.0.1:{port}")
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
    main()
