import Foundation

/// Writes `tinydep-1.0-py3-none-any.whl` (a pure-Python wheel whose `tinydep.VALUE` is 42) into
/// `folder`, made by hand with Python's zipfile: no network, no build backend. Returns the run's result.
public func makeTinyWheel(in folder: URL) async throws -> ProcessResult {
    try await run("python3", ["-c", """
        import zipfile, sys, os
        os.makedirs(sys.argv[1], exist_ok=True)
        with zipfile.ZipFile(os.path.join(sys.argv[1], 'tinydep-1.0-py3-none-any.whl'), 'w') as z:
            z.writestr('tinydep/__init__.py', 'VALUE = 42\\n')
            z.writestr('tinydep-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: tinydep\\nVersion: 1.0\\n')
            z.writestr('tinydep-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
            z.writestr('tinydep-1.0.dist-info/RECORD', '')
        """, folder.path])
}

/// Writes `name-version-py3-none-TAG.whl` into `folder`: a wheel that says it holds native code for
/// the platform `tag` (a manylinux tag), whose module's `VERSION` is `version`. pip picks among such
/// wheels by the platforms it is told the target accepts.
public func makePlatformWheel(in folder: URL, name: String, version: String, tag: String) async throws -> ProcessResult {
    try await run("python3", ["-c", """
        import zipfile, sys, os
        folder, name, version, tag = sys.argv[1:5]
        os.makedirs(folder, exist_ok=True)
        info = f'{name}-{version}.dist-info'
        with zipfile.ZipFile(os.path.join(folder, f'{name}-{version}-py3-none-{tag}.whl'), 'w') as z:
            z.writestr(f'{name}/__init__.py', f'VERSION = {version!r}\\n')
            z.writestr(f'{info}/METADATA', f'Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n')
            z.writestr(f'{info}/WHEEL', f'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: false\\nTag: py3-none-{tag}\\n')
            z.writestr(f'{info}/RECORD', '')
        """, folder.path, name, version, tag])
}
