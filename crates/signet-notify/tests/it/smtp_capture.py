"""Loopback SMTP server for signet-notify's tests (aiosmtpd).

Prints the port it listens on (127.0.0.1, chosen by the OS) as its first stdout line, then
saves every accepted message as message-N.json in --out: envelope, authentication, whether
the session was encrypted, the parsed headers and the decoded body (Python's email package is
the independent MIME decoder), plus the raw bytes as received.
"""
import argparse
import asyncio
import email
import email.policy
import json
import pathlib
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Capture:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "authenticated_as": session.auth_data if session.authenticated else None,
            "starttls": session.ssl is not None,
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "content_type": message.get_content_type(),
            "charset": message.get_content_charset(),
            "transfer_encoding": message.get("Content-Transfer-Encoding"),
            "body": message.get_content(),
            "raw": raw.decode("utf-8", errors="replace"),
            "raw_is_7bit": all(b < 128 for b in raw),
        }
        tmp = self.out_dir / f".message-{self.count}.tmp"
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.rename(self.out_dir / f"message-{self.count}.json")
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login == self.user and auth_data.password == self.password:
            return AuthResult(success=True, handled=False, auth_data=auth_data.login.decode())
        return AuthResult(success=False, handled=False)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
    args = parser.parse_args()

    handler = Capture(pathlib.Path(args.out))
    context = None
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    authenticator = Authenticator(args.user, args.password) if args.user else None

    def factory():
        return SMTP(
            handler,
            hostname="signet-test-smtp",
            tls_context=context if args.mode == "starttls" else None,
            require_starttls=args.mode == "starttls",
            authenticator=authenticator,
            auth_required=authenticator is not None,
            # With implicit TLS the socket is already encrypted, which aiosmtpd cannot see.
            auth_require_tls=args.mode == "starttls",
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, host="127.0.0.1", port=0, ssl=context if args.mode == "tls" else None
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
