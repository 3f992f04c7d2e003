#include "automate/playbook/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

#include "automate/modules/module.h"

namespace tend::automate {
namespace {

using ::testing::HasSubstr;

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-loader-XXXXXX";
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
  std::string dir_;
};

TEST_F(LoaderTest, PlaysTasksKeywordsAndPositions) {
  std::string pb = Write("site.yml", R"(
- name: web
  hosts: web:&prod
  become: yes
  vars: {port: 80}
  tasks:
    - name: say
      debug: msg="port {{ port }}"
      when: port > 1
      tags: [a, b]
      register: out
    - set_fact: x=1 y="two words"
    - debug:
        var: out
      loop: "{{ [1, 2] }}"
      loop_control: {loop_var: n, label: "{{ n }}"}
  handlers:
    - name: restart
      debug: msg=r
      listen: web restart
)");
  auto loaded = LoadPlaybook(pb);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Play& play = (*loaded)->plays.at(0);
  EXPECT_EQ(play.hosts.value, "web:&prod");
  EXPECT_EQ(play.become.value, true);
  ASSERT_EQ(play.tasks.size(), 3u);
  const Task& say = play.tasks[0];
  EXPECT_EQ(say.action, "debug");
  EXPECT_EQ(say.args.value["msg"], "port {{ port }}");
  EXPECT_EQ(say.pos.line, 7);
  EXPECT_EQ(say.when.at(0).value, "port > 1");
  EXPECT_EQ(say.when.at(0).pos.line, 9);
  EXPECT_EQ(say.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(say.register_var, "out");
  EXPECT_EQ(play.tasks[1].args.value["y"], "two words");
  EXPECT_EQ(play.tasks[2].loop_kind, "loop");
  EXPECT_EQ(play.tasks[2].loop_control.loop_var, "n");
  ASSERT_EQ(play.handlers.size(), 1u);
  EXPECT_EQ(play.handlers[0].listen, (std::vector<std::string>{"web restart"}));
}

TEST_F(LoaderTest, BlocksPassConditionsTagsAndVarsDown) {
  std::string pb = Write("b.yml", R"(
- hosts: all
  tasks:
    - block:
        - debug: msg=one
          when: b
          vars: {v: inner}
        - block:
            - debug: msg=two
          tags: inner
      rescue:
        - debug: msg=rescue
      always:
        - debug: msg=always
      when: a
      tags: outer
      vars: {v: outer, w: 1}
      become: true
)");
  auto loaded = LoadPlaybook(pb);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Task& block = (*loaded)->plays[0].tasks.at(0);
  ASSERT_EQ(block.kind, Task::Kind::kBlock);
  const Task& one = block.block.at(0);
  ASSERT_EQ(one.when.size(), 2u);
  EXPECT_EQ(one.when[0].value, "a");
  EXPECT_EQ(one.when[1].value, "b");
  EXPECT_EQ(one.vars["v"], "inner");
  EXPECT_EQ(one.vars["w"], 1);
  EXPECT_EQ(one.become.value, true);
  EXPECT_THAT(one.tags, ::testing::Contains("outer"));
  const Task& two = block.block.at(1).block.at(0);
  EXPECT_EQ(two.when.size(), 1u);
  EXPECT_THAT(two.tags, ::testing::UnorderedElementsAre("inner", "outer"));
  EXPECT_EQ(block.rescue.at(0).when.at(0).value, "a");
  EXPECT_EQ(block.always.size(), 1u);
}

TEST_F(LoaderTest, ImportsAndRoles) {
  Write("roles/web/tasks/main.yml",
        "- debug: msg=role-task\n- import_tasks: extra.yml\n");
  Write("roles/web/tasks/extra.yml", "- debug: msg=extra\n");
  Write("roles/web/handlers/main.yml", "- name: reload web\n  debug: msg=h\n");
  Write("roles/web/defaults/main.yml", "port: 8080\n");
  Write("roles/web/vars/main.yml", "user: www\n");
  Write("roles/base/tasks/main.yml", "- debug: msg=base\n");
  Write("roles/web/meta/main.yml", "dependencies: [base]\n");
  Write("common.yml", "- debug: msg=common\n  tags: c\n");
  std::string pb = Write("site.yml", R"(
- hosts: all
  roles:
    - role: web
      tags: r
      port: 9090
  tasks:
    - import_tasks: common.yml
      when: z
    - include_tasks: "{{ which }}.yml"
)");
  auto loaded = LoadPlaybook(pb);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Play& play = (*loaded)->plays[0];
  ASSERT_EQ(play.role_tasks.size(), 3u);
  EXPECT_EQ(play.role_tasks[0].args.value["msg"], "base");
  EXPECT_EQ(play.role_tasks[1].args.value["msg"], "role-task");
  EXPECT_EQ(play.role_tasks[2].args.value["msg"], "extra");
  EXPECT_THAT(play.role_tasks[1].tags, ::testing::Contains("r"));
  EXPECT_EQ(play.role_tasks[1].vars["port"], 9090);
  ASSERT_NE(play.role_tasks[1].role, nullptr);
  EXPECT_EQ(play.role_tasks[1].role->defaults["port"], 8080);
  EXPECT_EQ(play.role_tasks[1].role->vars["user"], "www");
  EXPECT_EQ(play.handlers.at(0).name.value, "reload web");
  ASSERT_EQ(play.tasks.size(), 2u);
  EXPECT_EQ(play.tasks[0].args.value["msg"], "common");
  EXPECT_EQ(play.tasks[0].when.at(0).value, "z");
  EXPECT_EQ(play.tasks[1].kind, Task::Kind::kIncludeTasks);
}

struct BadCase {
  const char* text;
  const char* want;
};

TEST_F(LoaderTest, BadInputSaysWhere) {
  const BadCase cases[] = {
      {"- hosts: all\n  tasks:\n    - debugg: msg=x\n",
       "bad.yml:3:7: 'debugg' is neither a task keyword nor a supported "
       "module (did you mean 'debug'?)"},
      {"- hosts: all\n  tasks:\n    - debug: msg=x\n      whn: y\n",
       "bad.yml:4:7: 'whn' is neither"},
      {"- hosts: all\n  tasks:\n    - debug: {msg: x, colour: red}\n",
       "bad.yml:3:23: unsupported parameter 'colour' for module 'debug'"},
      {"- hosts: all\n  tasks:\n    - debug: msg=x\n      fail: msg=y\n",
       "bad.yml:3:7: a task runs one module; this one names debug, fail"},
      {"- hosts: all\n  taks:\n    - debug: msg=x\n",
       "bad.yml:2:3: 'taks' is not a play keyword (did you mean 'tasks'?)"},
      {"- hosts: all\n  tasks:\n    - debug: msg=x\n  - oops\n", "bad.yml:"},
      {"- tasks: []\n", "bad.yml:1:3: a play needs 'hosts'"},
      {"hosts: all\n", "bad.yml:1:1: a playbook must be a YAML list of plays"},
      {"- hosts: all\n  tasks:\n    - name: nothing\n",
       "bad.yml:3:7: this task runs no module"},
      {"- hosts: all\n  tasks:\n    - debug: msg=x\n      with_foo: [1]\n",
       "bad.yml:4:7: unsupported loop 'with_foo'"},
      {"- hosts: all\n  tasks:\n    - import_tasks: missing.yml\n",
       "bad.yml:3:7: import_tasks: "},
      {"- hosts: all\n  roles: [nope]\n",
       "bad.yml:2:11: role 'nope' not found"},
      {"- hosts: all\n  tasks:\n    - debug: msg='x\n", "bad.yml:3:"},
      {"- hosts: all\n  vars_prompt: []\n",
       "bad.yml:2:3: vars_prompt is not supported"},
      {"- hosts: all\n  tasks:\n    - debug: msg=x\n      rescue: []\n",
       "bad.yml:3:7: rescue and always belong to a block"},
  };
  for (const BadCase& c : cases) {
    std::string path = Write("bad.yml", c.text);
    auto loaded = LoadPlaybook(path);
    ASSERT_FALSE(loaded.ok()) << c.text;
    std::string msg = loaded.status().message();
    // Positions are relative to the file as given (absolute here).
    std::string want = std::string(c.want);
    std::string full = dir_ + "/" + want;
    EXPECT_THAT(msg, HasSubstr(full)) << c.text;
  }
}

TEST_F(LoaderTest, ImportLoopIsAnError) {
  Write("a.yml", "- import_tasks: b.yml\n");
  Write("b.yml", "- import_tasks: a.yml\n");
  std::string pb =
      Write("p.yml", "- hosts: all\n  tasks:\n    - import_tasks: a.yml\n");
  auto loaded = LoadPlaybook(pb);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("nested more than"));
}

}  // namespace
}  // namespace tend::automate
