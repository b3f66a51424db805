import Foundation

/// Writes `tinydep-1.0-py3-none-any.whl` (a pure-Python wheel whose `tinydep.VALUE` is 42) into
/// `folder`, made by hand with Python's zipfile: no network, no build backend. Returns the run's result.
public func makeTinyWheel(in folder: URL) throws -> ProcessResult {
    try run("python3", ["-c", """
        import zipfile, sys, os
        os.makedirs(sys.argv[1], exist_ok=True)
        with zipfile.ZipFile(os.path.join(sys.argv[1], 'tinydep-1.0-py3-none-any.whl'), 'w') as z:
            z.writestr('tinydep/__init__.py', 'VALUE = 42\\n')
            z.writestr('tinydep-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: tinydep\\nVersion: 1.0\\n')
            z.writestr('tinydep-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
            z.writestr('tinydep-1.0.dist-info/RECORD', '')
        """, folder.path])
}
