import HTTPTypes
import Hummingbird

/// Answers 405 Method Not Allowed, with `Allow`, for anything but GET and HEAD, and POST to the
/// paths in `posts` (the login and logout forms when a token is set).
struct MethodCheck<Context: RequestContext>: RouterMiddleware {
    let posts: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method
        let path = request.uri.path
        let canPost = posts.contains(path)
        if method == .get || method == .head || (method == .post && canPost) { return try await next(request, context) }
        var response = ConsoleResponse.error(status: .methodNotAllowed, message: "\(method.rawValue.prefix(20)) is not answered here (the console only reads)",
                                             html: !path.hasPrefix("/api/"))
        response.headers[.allow] = canPost ? "GET, HEAD, POST" : "GET, HEAD"
        return response
    }
}
