import Foundation

/// Where the fixtures and test inputs live on this machine.
///
/// The interop fixtures are not in the repository: they sit in a `shared/` folder next to the
/// package root (`../shared/interop`), which other checkouts may not have. Everything here
/// returns `nil` when a location is absent, so that tests can skip with
/// `.enabled(if: SharedFixtures.interopDirectory != nil, "no ../shared/interop")`.
public enum SharedFixtures {
    /// The package root: the nearest ancestor of this source file that holds `Package.swift`.
    ///
    /// Found from `#filePath`, so it is the checkout the tests were built from.
    public static var packageRoot: String? { packageRoot(startingAt: #filePath) }

    /// The nearest ancestor directory of `file` that contains `Package.swift`, or `nil`.
    public static func packageRoot(startingAt file: String) -> String? {
        var url = URL(fileURLWithPath: file).deletingLastPathComponent()
        while true {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// The `shared/` folder: `$FERRY_SHARED_DIR` when set (and `nil` if that is not a
    /// directory), else `../shared` beside the package root when it exists, else `nil`.
    public static var sharedDirectory: String? {
        if let fromEnvironment = ProcessInfo.processInfo.environment["FERRY_SHARED_DIR"],
            !fromEnvironment.isEmpty
        {
            return isDirectory(fromEnvironment) ? fromEnvironment : nil
        }
        guard let root = packageRoot else { return nil }
        let candidate = URL(fileURLWithPath: root).deletingLastPathComponent()
            .appendingPathComponent("shared").standardizedFileURL.path
        return isDirectory(candidate) ? candidate : nil
    }

    /// `shared/interop`, the third-party fixture images and manifests, or `nil` when absent.
    public static var interopDirectory: String? {
        guard let shared = sharedDirectory else { return nil }
        let interop = shared + "/interop"
        return isDirectory(interop) ? interop : nil
    }

    /// The path of a fixture under `shared/interop` (such as `docker-archive/x.tar`), or `nil`
    /// when the interop folder or that file is absent.
    public static func interopPath(_ relative: String) -> String? {
        guard let interop = interopDirectory else { return nil }
        let path = interop + "/" + relative
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The bundled `TestImages/` folder of the package (see `TestImages/README.md`), or `nil`.
    public static var testImagesDirectory: String? {
        guard let root = packageRoot else { return nil }
        let path = root + "/TestImages"
        return isDirectory(path) ? path : nil
    }

    /// The built `ferry` to run: `$FERRY_BIN` when set, else `.build/debug/ferry` in the package
    /// root (what `swift build --build-tests` and `swift test` produce), else `nil`.
    ///
    /// Asking prepares the environment the binary runs in (``TestServices/prepareEnvironment()``:
    /// no proxy variables, a `FERRY_CACHE_DIR` of this test process).
    public static var ferryBinary: String? {
        TestServices.prepareEnvironment()
        if let path = ProcessInfo.processInfo.environment["FERRY_BIN"], !path.isEmpty,
            FileManager.default.isExecutableFile(atPath: path)
        {
            return path
        }
        guard let root = packageRoot else { return nil }
        let candidate = root + "/.build/debug/ferry"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// The built `ferry` to run; the same as ``ferryBinary``.
    public static var builtFerry: String? { ferryBinary }

    /// `127.0.0.1:PORT` of the throwaway plain registry, started on first use
    /// (``TestServices/registry``), or `nil` when it cannot start.
    public static var testRegistry: String? { TestServices.registry }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}
