import Foundation
import HTTPTypes
import Hummingbird

/// Bearer-token authentication for a console listening beyond loopback: every request but the
/// stylesheet and the login form needs `Authorization: Bearer TOKEN` or the cookie the login form
/// sets from it. Tokens are compared in constant time.
struct TokenAuth<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "trailwatch_token" }
    let token: [UInt8]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/console.css" || path == "/login" || path == "/logout" { return try await next(request, context) }
        if let presented = Self.presentedToken(request.headers), TokenCompare.equal(presented, token) {
            return try await next(request, context)
        }
        if path.hasPrefix("/api/") {
            var response = ConsoleResponse.error(status: .unauthorized, message: "authentication required: send Authorization: Bearer TOKEN", html: false)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return ConsoleResponse.html(LoginPage.render(failed: false), status: .unauthorized)
    }

    /// The token from `Authorization: Bearer …` or from the login cookie.
    static func presentedToken(_ headers: HTTPFields) -> [UInt8]? {
        if let auth = headers[.authorization], auth.hasPrefix("Bearer ") {
            return Array(auth.dropFirst(7).utf8)
        }
        for cookieHeader in headers[values: .cookie] {
            for part in cookieHeader.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(cookieName + "=") { return Array(pair.dropFirst(cookieName.count + 1).utf8) }
            }
        }
        return nil
    }

}

extension AuthToken {
    /// Refuses a token file that its group or others may read or write (`chmod 600 FILE`).
    public static func checkPermissions(of path: String) throws(ConsoleError) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue else {
            throw ConsoleError(.tokenFile, subject: path, message: "cannot be read")
        }
        guard mode & 0o077 == 0 else {
            throw ConsoleError(.tokenFile, subject: path,
                               message: "is readable or writable by its group or others (mode \(String(mode & 0o777, radix: 8))): run chmod 600 \(path)")
        }
    }
}

/// Token comparison in time that depends only on the lengths, never on where the bytes differ.
public enum TokenCompare {
    /// True when `a` and `b` hold the same bytes.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return diff == 0
    }
}

/// The login form (a POST of the token; the answer sets an HttpOnly, SameSite=Strict cookie).
enum LoginPage {
    static func render(failed: Bool) -> String {
        let note = failed ? "<p class=\"error\">That token is not the console's.</p>" : ""
        return PageLayout.page(title: "Sign in", body: note + """
            <form action="/login" method="post"><label>Token <input name="token" type="password" autocomplete="current-password"></label> <button type="submit">Sign in</button></form>
            <p>Or send <code>Authorization: Bearer TOKEN</code>. Sign out at <a href="/logout">/logout</a>.</p>
            """)
    }

    /// The sign-out form (a POST, so a link on another site cannot sign anyone out).
    static func renderLogout() -> String {
        PageLayout.page(title: "Sign out", body: """
            <form action="/logout" method="post"><button type="submit">Sign out</button></form>
            """)
    }

    /// The `token` field of an `application/x-www-form-urlencoded` body.
    static func token(fromForm body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "token" else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
