import Foundation
import Testing
@testable import LambdaAsyncAWS

/// The chain's order and each source, with config files in a temporary HOME and STS stubbed.
@Suite struct CredentialChainTests {
    final class Calls: @unchecked Sendable {
        var assumed: [(String, AWSCredentials?, String?)] = []
    }

    func chain(_ environment: [String: String], profile: String? = nil, calls: Calls = Calls()) -> CredentialChain {
        CredentialChain(environment: environment, profile: profile, assumeRole: { role, _, base, token in
            calls.assumed.append((role, base, token))
            return AWSCredentials(accessKeyID: "ASIAROLE", secretAccessKey: "role-secret", sessionToken: "role-token", source: "STS")
        }, fetch: { _, _, _, _ in nil })
    }

    func home(config: String = "", credentials: String = "") throws -> [String: String] {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try config.write(to: home.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
        try credentials.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        return ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"]
    }

    @Test func environmentKeysComeFirstUnlessAProfileIsNamed() async throws {
        var environment = try home(credentials: "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = dev-secret\n")
        environment["AWS_ACCESS_KEY_ID"] = "AKIAENV"
        environment["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        environment["AWS_SESSION_TOKEN"] = "env-token"
        let fromEnvironment = try await chain(environment).resolve()
        #expect(fromEnvironment == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "env-token", source: "environment"))
        let fromProfile = try await chain(environment, profile: "dev").resolve()
        #expect(fromProfile.accessKeyID == "AKIADEV" && fromProfile.source == "profile dev")
    }

    @Test func profilesFromBothFilesWithRolesAndProcesses() async throws {
        let environment = try home(config: """
            [default]
            region = eu-west-1
            [profile base]
            output = json
            [profile deployer]
            role_arn = arn:aws:iam::111122223333:role/deploy
            source_profile = base
            [profile ci]
            credential_process = printf '{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token"}'
            [profile broken]
            credential_process = sh -c 'echo denied >&2; exit 3'
            [profile sso]
            sso_session = corp
            sso_account_id = 111122223333
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            """, credentials: """
            # keys of the base profile
            [base]
            aws_access_key_id = AKIABASE
            aws_secret_access_key = base-secret
            """)
        let calls = Calls()
        let role = try await chain(environment, profile: "deployer", calls: calls).resolve()
        #expect(role.accessKeyID == "ASIAROLE" && role.sessionToken == "role-token")
        #expect(role.source == "profile deployer (role arn:aws:iam::111122223333:role/deploy from profile base)")
        #expect(calls.assumed.first?.0 == "arn:aws:iam::111122223333:role/deploy" && calls.assumed.first?.1?.accessKeyID == "AKIABASE")

        let process = try await chain(environment, profile: "ci").resolve()
        #expect(process.accessKeyID == "ASIAPROC" && process.sessionToken == "proc-token" && process.source == "credential_process of profile ci")

        await #expect { try await chain(environment, profile: "broken").resolve() } throws: { error in
            "\(error)".contains("exited 3: denied")
        }
        await #expect { try await chain(environment, profile: "sso").resolve() } throws: { error in
            "\(error)".contains("aws sso login --profile sso") && "\(error)".contains("export-credentials")
        }
        await #expect { try await chain(environment, profile: "missing").resolve() } throws: { error in
            "\(error)".contains("aws configure --profile missing") && "\(error)".contains("base, broken, ci, default, deployer, sso")
        }
        #expect(SharedConfigReader.value("region", profile: "default", environment: environment) == "eu-west-1")
    }

    @Test func webIdentityForCI() async throws {
        var environment = try home()
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "eyJ.token.sig\n".write(to: token, atomically: true, encoding: .utf8)
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = token.path
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/github"
        let calls = Calls()
        let credentials = try await chain(environment, calls: calls).resolve()
        #expect(credentials.source == "web identity (role arn:aws:iam::111122223333:role/github)")
        #expect(calls.assumed.first?.2 == "eyJ.token.sig" && calls.assumed.first?.1 == nil)
    }

    @Test func nothingFoundSaysWhatWasTriedAndWhatToDo() async throws {
        let environment = try home()
        await #expect { try await chain(environment).resolve() } throws: { error in
            let text = "\(error)"
            return text.contains("no AWS credentials found") && text.contains("environment, web identity, profile default, container")
                && text.contains("AWS_ACCESS_KEY_ID")
        }
    }
}
