// SFTP extended requests that libssh 0.10 has no call for
// (posix-rename@openssh.com, hardlink@openssh.com), written and read on
// the SFTP channel directly.
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <string>
#include <string_view>

#include "automate/transport/ssh_connection.h"

namespace tend::automate {
namespace {

void PutU32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

void PutString(std::string* out, std::string_view v) {
  PutU32(out, static_cast<uint32_t>(v.size()));
  out->append(v);
}

uint32_t GetU32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Reads exactly n bytes from the channel (blocking); false when it ends.
bool ReadExactly(ssh_channel ch, unsigned char* buf, uint32_t n) {
  uint32_t got = 0;
  while (got < n) {
    int r = ssh_channel_read(ch, buf + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<uint32_t>(r);
  }
  return true;
}

}  // namespace

Status SshConnection::SftpExtended(const char* name, const std::string& a,
                                   const std::string& b,
                                   std::string_view what) {
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  // Requests are synchronous, so the channel is at a packet boundary and
  // the next packet is this request's answer. The id comes from libssh's
  // counter so it never repeats one of libssh's own.
  const uint32_t id = ++sftp->id_counter;
  std::string body;
  body.push_back(static_cast<char>(SSH_FXP_EXTENDED));
  PutU32(&body, id);
  PutString(&body, name);
  PutString(&body, a);
  PutString(&body, b);
  std::string packet;
  PutU32(&packet, static_cast<uint32_t>(body.size()));
  packet += body;
  const std::string prefix = Where() + ": " + std::string(what) + ": ";
  if (ssh_channel_write(sftp->channel, packet.data(),
                        static_cast<uint32_t>(packet.size())) !=
      static_cast<int>(packet.size())) {
    return UnavailableError(prefix +
                            "connection lost: " + ssh_get_error(session_));
  }
  unsigned char head[4];
  if (!ReadExactly(sftp->channel, head, 4)) {
    return UnavailableError(prefix +
                            "connection lost: " + ssh_get_error(session_));
  }
  const uint32_t len = GetU32(head);
  if (len < 9 || len > (1u << 20)) {
    return InternalError(prefix + "bad SFTP answer length " +
                         std::to_string(len));
  }
  std::string reply(len, '\0');
  auto* p = reinterpret_cast<unsigned char*>(reply.data());
  if (!ReadExactly(sftp->channel, p, len)) {
    return UnavailableError(prefix +
                            "connection lost: " + ssh_get_error(session_));
  }
  if (p[0] != SSH_FXP_STATUS || GetU32(p + 1) != id) {
    return InternalError(prefix + "unexpected SFTP answer type " +
                         std::to_string(p[0]));
  }
  const uint32_t code = GetU32(p + 5);
  std::string msg;
  if (len >= 13) {
    uint32_t mlen = GetU32(p + 9);
    if (13 + static_cast<size_t>(mlen) <= len) {
      msg.assign(reinterpret_cast<const char*>(p + 13), mlen);
    }
  }
  switch (code) {
    case SSH_FX_OK:
      return Status::Ok();
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
      return NotFoundError(prefix + "No such file or directory");
    case SSH_FX_PERMISSION_DENIED:
      return PermissionDeniedError(prefix + "Permission denied");
    case SSH_FX_FILE_ALREADY_EXISTS:
      return AlreadyExistsError(prefix + "File exists");
    case SSH_FX_OP_UNSUPPORTED:
      return UnimplementedError(prefix + "not supported by the server");
    default:
      return FailedPreconditionError(prefix + (msg.empty() ? "failed" : msg) +
                                     " (SFTP status " + std::to_string(code) +
                                     ")");
  }
}

Status SshConnection::SftpPosixRename(const std::string& from,
                                      const std::string& to) {
  ASSIGN_OR_RETURN(sftp_session sftp, Sftp());
  if (sftp_extension_supported(sftp, "posix-rename@openssh.com", "1")) {
    return SftpExtended("posix-rename@openssh.com", from, to,
                        "rename " + from + " to " + to);
  }
  if (sftp_rename(sftp, from.c_str(), to.c_str()) != 0) {
    return SftpError("rename " + from + " to", to);
  }
  return Status::Ok();
}

}  // namespace tend::automate
