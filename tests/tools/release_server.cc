// A tiny HTTP service for the deploy tests: one instance of "the app" as a
// release would ship it.
//
//   release_server --port N --dir RELEASE_DIR [--pidfile F]
//
// GET /        200 with the content of RELEASE_DIR/content
// GET /health  200 "ok", or 500 when RELEASE_DIR/unhealthy exists (a bad
//              release ships that file)
// Anything else is 404. SIGTERM stops it after the requests in flight are
// answered (cpp-httplib's stop), so a restart that waits for the old
// process loses no request that reached it. Connections are not kept alive
// (one request each), so stopping is immediate.
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

httplib::Server* g_server = nullptr;

void OnTerm(int) {
  // stop() only flips flags and shuts the listening socket down.
  if (g_server != nullptr) g_server->stop();
}

std::string Slurp(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string dir, pidfile;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port") {
      port = std::atoi(argv[i + 1]);
    } else if (flag == "--dir") {
      dir = argv[i + 1];
    } else if (flag == "--pidfile") {
      pidfile = argv[i + 1];
    } else {
      std::fprintf(stderr, "release_server: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (port <= 0 || dir.empty()) {
    std::fprintf(stderr,
                 "usage: release_server --port N --dir DIR [--pidfile F]\n");
    return 2;
  }
  // The directory is resolved once: `current` may be switched while we run,
  // and this process must keep serving the release it was started from.
  char resolved[4096];
  if (realpath(dir.c_str(), resolved) == nullptr) {
    std::perror(dir.c_str());
    return 1;
  }
  dir = resolved;

  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(8); };
  // One request per connection: an idle keep-alive connection from the
  // proxy would hold stop() for the keep-alive timeout (5 s), and that gap
  // in a restart is not what the tests measure.
  server.set_keep_alive_max_count(1);
  server.Get("/", [&](const httplib::Request&, httplib::Response& res) {
    bool ok = false;
    std::string body = Slurp(dir + "/content", &ok);
    res.status = ok ? 200 : 500;
    res.set_content(body, "text/plain");
  });
  server.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
    bool bad = access((dir + "/unhealthy").c_str(), F_OK) == 0;
    res.status = bad ? 500 : 200;
    res.set_content(bad ? "unhealthy\n" : "ok\n", "text/plain");
  });
  g_server = &server;
  struct sigaction sa {};
  sa.sa_handler = OnTerm;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  if (!server.bind_to_port("127.0.0.1", port)) {
    std::fprintf(stderr, "release_server: cannot listen on 127.0.0.1:%d\n",
                 port);
    return 1;
  }
  if (!pidfile.empty()) {
    std::ofstream(pidfile) << getpid() << "\n";
  }
  server.listen_after_bind();
  return 0;
}
