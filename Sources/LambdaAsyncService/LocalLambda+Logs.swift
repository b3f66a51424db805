import Foundation
import NIOHTTP1

/// CloudWatch Logs at serve's port, for what this run's functions wrote: `FilterLogEvents` (the AWS CLI's
/// `aws logs filter-log-events`, a test reading its function's logs back) and `DescribeLogGroups`.
extension LocalLambda {
    func logsAPI(headers: HTTPHeaders, body: [UInt8], writer: ResponseWriter) {
        let target = headers.first(name: "X-Amz-Target") ?? ""
        let request = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        func answer(_ object: [String: Any]) {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            writer.send(200, [("Content-Type", "application/x-amz-json-1.1")], Array(data))
        }
        func fail(_ status: HTTPResponseStatus, _ type: String, _ message: String) {
            let data = (try? JSONSerialization.data(withJSONObject: ["__type": type, "message": message])) ?? Data()
            writer.send(Int(status.code), [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", type)], Array(data))
        }
        switch target {
        case "Logs_20140328.DescribeLogGroups":
            let prefix = request["logGroupNamePrefix"] as? String ?? ""
            answer(["logGroups": logs.groupNames.filter { $0.hasPrefix(prefix) }.map {
                ["logGroupName": $0, "arn": "arn:aws:logs:us-east-1:123456789012:log-group:\($0):*", "storedBytes": 0]
            }])
        case "Logs_20140328.FilterLogEvents":
            guard let group = request["logGroupName"] as? String ?? (request["logGroupIdentifier"] as? String).map({ $0.components(separatedBy: ":log-group:").last ?? $0 }),
                  let events = logs.events(in: group) else {
                return fail(.badRequest, "ResourceNotFoundException",
                            "The specified log group does not exist: this run's are \(logs.groupNames.joined(separator: ", "))")
            }
            let pattern: LogFilterPattern
            do { pattern = try LogFilterPattern.parse(request["filterPattern"] as? String) } catch let unsupported as LogFilterPattern.Unsupported {
                return fail(.badRequest, "InvalidParameterException", "lambda-async: \(unsupported.reason)")
            } catch {
                return fail(.badRequest, "InvalidParameterException", "\(error)")
            }
            let start = (request["startTime"] as? NSNumber)?.int64Value ?? 0
            let end = (request["endTime"] as? NSNumber)?.int64Value ?? Int64.max
            let streams = request["logStreamNames"] as? [String]
            let limit = min(10_000, max(1, (request["limit"] as? NSNumber)?.intValue ?? 10_000))
            let after = (request["nextToken"] as? String).flatMap(Int.init) ?? 0
            let matching = events.filter { event in
                event.id > after && event.timestampMs >= start && event.timestampMs <= end
                    && (streams?.contains(event.stream) ?? true) && pattern.matches(event.message)
            }
            let page = matching.prefix(limit)
            var result: [String: Any] = ["events": page.map {
                ["logStreamName": $0.stream, "timestamp": $0.timestampMs, "ingestionTime": $0.timestampMs,
                 "message": $0.message, "eventId": String($0.id)] as [String: Any]
            }, "searchedLogStreams": [] as [Any]]
            if matching.count > limit, let last = page.last { result["nextToken"] = String(last.id) }
            answer(result)
        default:
            fail(.badRequest, "UnsupportedOperation",
                 "lambda-async serves CloudWatch Logs' FilterLogEvents and DescribeLogGroups for this run's functions, not \(target.split(separator: ".").last.map(String.init) ?? "this call")")
        }
    }
}
