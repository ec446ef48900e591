import Foundation
import HTTPTypes
import Hummingbird
import Crypto

/// Bearer-token authentication for a console listening beyond loopback: every request but the
/// stylesheet and the login form needs `Authorization: Bearer TOKEN` or the session cookie the
/// login form sets. The cookie holds `HMAC-SHA256(TOKEN, "trailwatch console session")`, not the
/// token: the browser never stores the token itself, and a new token ends every session. Both are
/// compared in constant time.
struct TokenAuth<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "trailwatch_session" }
    let token: [UInt8]
    let session: [UInt8]

    init(token: [UInt8]) {
        self.token = token
        session = Array(Self.sessionValue(for: token).utf8)
    }

    /// The login cookie's value for `token` (64 hex digits).
    static func sessionValue(for token: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("trailwatch console session".utf8), using: SymmetricKey(data: token))
        return mac.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/console.css" || path == "/login" || path == "/logout" { return try await next(request, context) }
        if isAuthenticated(request.headers) { return try await next(request, context) }
        if path.hasPrefix("/api/") {
            var response = ConsoleResponse.error(status: .unauthorized, message: "authentication required: send Authorization: Bearer TOKEN", html: false)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return ConsoleResponse.html(LoginPage.render(failed: false), status: .unauthorized)
    }

    /// Whether the request carries the token (`Authorization: Bearer …`) or the session cookie.
    func isAuthenticated(_ headers: HTTPFields) -> Bool {
        if let auth = headers[.authorization], auth.hasPrefix("Bearer ") {
            return TokenCompare.equal(Array(auth.dropFirst(7).utf8), token)
        }
        for cookieHeader in headers[values: .cookie] {
            for part in cookieHeader.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(Self.cookieName + "=") {
                    return TokenCompare.equal(Array(pair.dropFirst(Self.cookieName.count + 1).utf8), session)
                }
            }
        }
        return false
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
