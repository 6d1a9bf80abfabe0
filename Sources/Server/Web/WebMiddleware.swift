import Foundation
import Hummingbird

/// Where the static web UI (`Web/`) is: `AULA_WEB_ROOT`, else `./Web`, else next to the source tree
/// of the executable (`.build/debug/aula` → `../../Web`).
public enum WebRoot {
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let explicit = environment["AULA_WEB_ROOT"], !explicit.isEmpty { candidates.append(explicit) }
        candidates.append(FileManager.default.currentDirectoryPath + "/Web")
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent("Web").path)
            folder = folder.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/map.html") }
    }
}

/// Serves the files of the web UI for every path outside `/api/`, so API requests never touch the
/// file system and unknown API routes stay problem details.
struct WebMiddleware<Context: RequestContext>: RouterMiddleware {
    let files: FileMiddleware<Context, LocalFileSystem>

    init(root: String) {
        files = FileMiddleware(root, searchForIndexHtml: true)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/api/") || request.uri.path == "/api" { return try await next(request, context) }
        return try await files.handle(request, context: context, next: next)
    }
}
