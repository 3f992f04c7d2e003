#include "automate/run/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "automate/playbook/loader.h"
#include "automate/run/text_output.h"

namespace tend::automate {
namespace {

using ::testing::HasSubstr;

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-exec-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(system(cmd.c_str()), 0);
  }
  std::string Write(const std::string& rel, const std::string& text) {
    std::string path = dir_ + "/" + rel;
    for (size_t p = path.find('/', dir_.size() + 1); p != std::string::npos;
         p = path.find('/', p + 1)) {
      mkdir(path.substr(0, p).c_str(), 0755);
    }
    std::ofstream(path) << text;
    return path;
  }
  std::string Read(const std::string& rel) {
    std::ifstream in(dir_ + "/" + rel);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Runs `playbook` (text, with ROOT replaced by the temp dir) against an
  // inventory (text or "" for the implicit localhost); returns the summary
  // and fills json_ and text_.
  RunSummary Run(std::string playbook, const std::string& inventory = "",
                 ApplyOptions opts = {}) {
    for (size_t p; (p = playbook.find("ROOT")) != std::string::npos;) {
      playbook.replace(p, 4, dir_);
    }
    std::string pb_path = Write("play.yml", playbook);
    auto pb = LoadPlaybook(pb_path);
    EXPECT_TRUE(pb.ok()) << pb.status().ToString();
    if (!pb.ok()) return {};
    std::string inv_src = inventory.empty() ? std::string("localhost,")
                                            : Write("hosts.ini", inventory);
    auto inv = LoadInventory(inv_src);
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    if (!inv.ok()) return {};
    char* buf = nullptr;
    size_t len = 0;
    FILE* f = open_memstream(&buf, &len);
    TextOutput text(f);
    struct Both : RunObserver {
      RunObserver* a;
      JsonOutput* b;
      void OnPlayStart(const std::string& n) override {
        a->OnPlayStart(n), b->OnPlayStart(n);
      }
      void OnTaskStart(const std::string& n, bool h) override {
        a->OnTaskStart(n, h);
        b->OnTaskStart(n, h);
      }
      void OnHostResult(const TaskResult& r) override {
        a->OnHostResult(r);
        b->OnHostResult(r);
      }
      void OnRecap(const std::map<std::string, HostStats>& s) override {
        a->OnRecap(s);
      }
      void OnNoMoreHosts() override { a->OnNoMoreHosts(); }
      void OnIncluded(const std::string& p, const std::vector<std::string>& h,
                      const std::string& l) override {
        a->OnIncluded(p, h, l);
      }
    } both;
    JsonOutput json(stderr);
    both.a = &text;
    both.b = &json;
    opts.observer = &both;
    auto sum = RunPlaybook(**pb, **inv, opts);
    std::fclose(f);
    text_ = std::string(buf, len);
    free(buf);
    json_ = json.Document();
    EXPECT_TRUE(sum.ok()) << sum.status().ToString();
    return sum.ok() ? *sum : RunSummary{};
  }

  // The result of task `index` (in the order run) on `host`.
  Value Result(size_t index, const std::string& host = "localhost") {
    return json_["plays"][0]["tasks"][index]["hosts"][host];
  }

  std::string dir_;
  std::string text_;
  Value json_;
};

TEST_F(ExecutorTest, VariablesRegisterWhenAndLoops) {
  RunSummary s =
      Run(R"(
- hosts: localhost
  gather_facts: false
  vars:
    greeting: "hello {{ name }}"
    name: world
    items: [a, b, c]
  tasks:
    - debug: msg="{{ greeting }}"
      register: out
    - set_fact: upper="{{ out.msg | upper }}"
    - debug: var=upper
    - debug: msg="{{ item }}-{{ idx }}"
      loop: "{{ items }}"
      loop_control: {index_var: idx}
      when: item != 'b'
      register: looped
    - assert:
        that:
          - looped.results | length == 3
          - looped.results[1].skipped
          - upper == 'HELLO WORLD'
    - debug: msg="{{ extra }}"
)",
          "", ApplyOptions{.extra_vars = Value{{"extra", "from -e"}}});
  EXPECT_FALSE(s.failed) << text_;
  EXPECT_EQ(Result(0)["msg"], "hello world");
  EXPECT_EQ(Result(2)["upper"], "HELLO WORLD");
  EXPECT_EQ(Result(3)["results"][0]["msg"], "a-0");
  EXPECT_EQ(Result(3)["results"][2]["msg"], "c-2");
  EXPECT_EQ(Result(5)["msg"], "from -e");
  EXPECT_EQ(s.stats["localhost"].ok, 6);
  EXPECT_THAT(text_, HasSubstr("skipping: [localhost] => (item=b) \n"));
}

TEST_F(ExecutorTest, HandlersRunOnceAtTheEndWhenNotified) {
  RunSummary s = Run(R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: {content: "x\n", dest: "ROOT/a.txt"}
      notify: [restart app, nothing]
    - copy: {content: "x\n", dest: "ROOT/a.txt"}
      notify: never runs
    - debug: msg=after
  handlers:
    - name: restart app
      copy: {content: "restarted\n", dest: "ROOT/handler.txt"}
    - name: never runs
      fail: msg=no
    - name: by topic
      debug: msg=topic
      listen: restart app
)");
  EXPECT_FALSE(s.failed) << text_;
  EXPECT_EQ(Read("handler.txt"), "restarted\n");
  EXPECT_THAT(text_, HasSubstr("RUNNING HANDLER [restart app]"));
  EXPECT_THAT(text_, HasSubstr("RUNNING HANDLER [by topic]"));
  EXPECT_THAT(text_, ::testing::Not(HasSubstr("never runs")));
  // The handler runs after the last task.
  EXPECT_LT(text_.find("TASK [debug]"), text_.find("RUNNING HANDLER"));
}

TEST_F(ExecutorTest, BlockRescueAlways) {
  RunSummary s = Run(R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - block:
        - fail: msg=first
        - debug: msg="not reached"
      rescue:
        - set_fact: rescued=yes
      always:
        - set_fact: always=yes
    - assert: {that: [rescued, always]}
    - block:
        - fail: msg=unrescued
      always:
        - copy: {content: "ran\n", dest: "ROOT/always.txt"}
    - debug: msg="not reached either"
)");
  EXPECT_TRUE(s.failed);
  EXPECT_EQ(s.stats["localhost"].rescued, 1);
  EXPECT_EQ(s.stats["localhost"].failed, 1);
  EXPECT_EQ(Read("always.txt"), "ran\n");
  EXPECT_THAT(text_, ::testing::Not(HasSubstr("not reached")));
}

TEST_F(ExecutorTest, ResultRewritingAndRetries) {
  RunSummary s = Run(R"(
- hosts: localhost
  gather_facts: false
  vars: {n: 0}
  tasks:
    - fail: msg=tolerated
      ignore_errors: true
    - debug: msg=x
      changed_when: true
      register: c
    - fail: msg="not really"
      failed_when: false
    - set_fact: n="{{ n | int + 1 }}"
      until: n | int >= 3
      retries: 5
      delay: 0
      register: r
    - assert: {that: ["r.attempts == 3", "c.changed"]}
)");
  EXPECT_FALSE(s.failed) << text_;
  EXPECT_EQ(s.stats["localhost"].ignored, 1);
  EXPECT_EQ(s.stats["localhost"].changed, 1);
  EXPECT_THAT(text_, HasSubstr("...ignoring"));
}

TEST_F(ExecutorTest, IncludeTasksWithLoopAndTags) {
  Write("inc.yml", "- debug: msg=\"inc {{ item }}\"\n  register: last\n");
  RunSummary s = Run(R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - include_tasks: inc.yml
      loop: [1, 2]
    - debug: msg=tagged
      tags: [t1]
    - debug: msg=never
      tags: [never]
    - debug: msg=always
      tags: [always]
)",
                     "", ApplyOptions{.tags = {"t2"}});
  EXPECT_FALSE(s.failed) << text_;
  EXPECT_THAT(text_, ::testing::Not(HasSubstr("msg\": \"tagged")));
  EXPECT_THAT(text_, HasSubstr("\"msg\": \"always\""));
  EXPECT_THAT(text_, ::testing::Not(HasSubstr("\"msg\": \"never\"")));
  // include_tasks is untagged: with --tags t2 it is not run.
  EXPECT_THAT(text_, ::testing::Not(HasSubstr("inc 1")));
  RunSummary all = Run(R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - include_tasks: inc.yml
      loop: [1, 2]
)");
  EXPECT_THAT(text_, HasSubstr("\"msg\": \"inc 1\""));
  EXPECT_THAT(text_, HasSubstr("\"msg\": \"inc 2\""));
  // Each "included:" counts ok, as in Ansible: 2 includes + 2 debug tasks.
  EXPECT_EQ(all.stats["localhost"].ok, 4);
  EXPECT_THAT(text_, HasSubstr("/inc.yml for localhost => (item=1)\n"));
}

TEST_F(ExecutorTest, SerialBatchesAndMaxFailPercentage) {
  std::string inv =
      "[web]\nh1 ansible_connection=local\nh2 ansible_connection=local\n"
      "h3 ansible_connection=local\nh4 ansible_connection=local\n";
  RunSummary s = Run(R"(
- hosts: web
  gather_facts: false
  serial: 2
  max_fail_percentage: 0
  tasks:
    - fail: msg="h2 breaks"
      when: inventory_hostname == 'h2'
    - copy: {content: "x\n", dest: "ROOT/{{ inventory_hostname }}.txt"}
)",
                     inv);
  EXPECT_TRUE(s.failed);
  EXPECT_EQ(s.stats["h2"].failed, 1);
  // The first batch (h1, h2) aborts the play: h3 and h4 never run.
  EXPECT_EQ(s.stats.count("h3"), 0u) << text_;
  EXPECT_THAT(text_, HasSubstr("NO MORE HOSTS LEFT"));
  struct stat st;
  EXPECT_NE(::stat((dir_ + "/h3.txt").c_str(), &st), 0);
}

TEST_F(ExecutorTest, ParallelHostsAndGroups) {
  std::string inv =
      "[web]\nw[1:3] ansible_connection=local\n[db]\nd1 "
      "ansible_connection=local\n"
      "[web:vars]\nrole=frontend\n";
  RunSummary s = Run(R"(
- hosts: all
  gather_facts: false
  tasks:
    - copy:
        content: "{{ role | default('none') }} {{ group_names | join(',') }}\n"
        dest: "ROOT/{{ inventory_hostname }}.txt"
)",
                     inv, ApplyOptions{.forks = 4});
  EXPECT_FALSE(s.failed) << text_;
  EXPECT_EQ(Read("w2.txt"), "frontend web\n");
  EXPECT_EQ(Read("d1.txt"), "none db\n");
  EXPECT_EQ(s.stats.size(), 4u);
}

TEST_F(ExecutorTest, CheckModeChangesNothing) {
  RunSummary s = Run(R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: {content: "x\n", dest: "ROOT/checked.txt"}
    - debug: msg="{{ ansible_check_mode }}"
)",
                     "", ApplyOptions{.check = true, .diff = true});
  EXPECT_FALSE(s.failed) << text_;
  EXPECT_EQ(s.stats["localhost"].changed, 1);
  struct stat st;
  EXPECT_NE(::stat((dir_ + "/checked.txt").c_str(), &st), 0);
  EXPECT_EQ(Result(1)["msg"], true);
  EXPECT_THAT(text_, HasSubstr("+x\n"));
}

TEST_F(ExecutorTest, TemplateErrorsFailTheTaskWithPosition) {
  RunSummary s = Run(R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - debug:
        msg: "{{ nope }}"
)");
  EXPECT_TRUE(s.failed);
  std::string msg = Result(0)["msg"].get<std::string>();
  EXPECT_THAT(msg, HasSubstr(dir_ + "/play.yml:6:18"));
  EXPECT_THAT(msg, HasSubstr("nope"));
}

TEST_F(ExecutorTest, FactsAreGathered) {
  RunSummary s = Run(R"(
- hosts: localhost
  tasks:
    - assert:
        that:
          - ansible_facts.os_family == 'Debian'
          - ansible_distribution == 'Debian'
          - ansible_processor_vcpus > 0
          - ansible_memtotal_mb > 0
          - ansible_hostname | length > 0
)");
  EXPECT_FALSE(s.failed) << text_;
  EXPECT_THAT(text_, HasSubstr("TASK [Gathering Facts]"));
}

}  // namespace
}  // namespace tend::automate
