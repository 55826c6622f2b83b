"""A legacy IM client that reads as simple_im's reference client does: one TLS record per read.

Usage: record-reader.py PORT CA_FILE LOGIN_FRAME [--plain]

Connects to 127.0.0.1:PORT (TLS verified against CA_FILE for "localhost", or plain TCP with
--plain), writes LOGIN_FRAME and a newline, then prints every read as one JSON line
{"read": "<base64>"} until the server closes, or stdin closes (the test saying stop).

Python's SSLSocket.recv is one SSL_read, which returns the plaintext of at most one record
(OpenSSL reads no records ahead by default), so each printed read is what the reference
client's {packet,0} active-mode socket hands its TOML parser at once.
"""

import base64
import json
import os
import select
import socket
import ssl
import sys

# Larger than a record's plaintext (16384 bytes), so that a read never stops inside one.
READ_BYTES = 65536


def main() -> None:
    port, ca_file, login = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    plain = "--plain" in sys.argv[4:]
    raw = socket.create_connection(("127.0.0.1", port))
    if plain:
        sock = raw
    else:
        context = ssl.create_default_context(cafile=ca_file)
        sock = context.wrap_socket(raw, server_hostname="localhost")
    sock.sendall(login.encode("utf-8") + b"\n")
    stdin = sys.stdin.fileno()
    while True:
        # Plaintext already decrypted would not wake select on the socket.
        pending = not plain and sock.pending() > 0
        if not pending:
            ready, _, _ = select.select([sock, stdin], [], [])
            if stdin in ready and not os.read(stdin, 1024):
                break
            if sock not in ready:
                continue
        data = sock.recv(READ_BYTES)
        if not data:
            break
        print(json.dumps({"read": base64.b64encode(data).decode("ascii")}), flush=True)
    sock.close()


main()
