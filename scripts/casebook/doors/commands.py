"""The casebook's commands as the README's table lists them: each `casebook X --help` shows the same words.

`python -m casebook.doors.commands` prints the table's rows; tests/test_commands.py checks that the README
holds exactly these rows and that every command and option they name exists.
"""
from __future__ import annotations

# (usage, what it does), in the README's order; a command may have several rows (release, render).
ROWS: list[tuple[str, str]] = [
    ('casebook validate [文件…]',
     '检查案例（默认全部），每个问题按 `文件:行:列: 字段: 说明` 列出；有问题时退出码为 1；指定的案例通过时，还列出它的完整度和还缺少什么（与案例页相同）'),
    ('casebook preview cases/案例.yaml…',
     '只预览正在编辑的案例（连同相关案例、类别和地区页、比较页、目录）：保存后几秒内刷新，不论案例库多大；案例有问题时页面上直接列出问题。`cases/sources/` 里还没有案例的原文列在预览的“起草案例”页（`casebook preview cases/sources/标识.txt` 直接打开它）：点“起草案例”写出草稿（同 `casebook draft`，不覆盖已有文件）并打开它的预览页'),
    ('casebook new 案例标识',
     '新建案例文件（全部字段带说明）和空的原文文件'),
    ('casebook draft cases/sources/案例标识.txt [--out 文件]',
     '从清理后的原文起草案例文件（默认 `cases/案例标识.yaml`，不覆盖已有文件）：提出数字（数值、单位、修饰词和所在句子）、日期、地点、发言人和职务、模式、做法和荣誉的名称，每个值都逐字摘自原文；摘要先放原文导语，做法的类别和状态按词表猜（写明依据）；每项带一行 `draft: …`，核对无误删除这一行、不要的整项删除，删除之前检查不会通过（“草稿：请核对后删除标记”）'),
    ('casebook export site [选择]',
     '导出离线网站压缩包到 `dist/`（文件名含主题、日期和案例数），解压得到以主题和日期命名的文件夹（如 `casebook-weilao-2026-12-03/`），双击其中的 `index.html` 即可在无网络环境使用，首页写明主题、案例数和导出日期，搜索、筛选、比较都可用；离线版不带“编辑此页”链接'),
    ('casebook export handout [选择] [--pdf] [--site-url 网址]',
     '生成 A4 打印讲义到 `dist/`（单个 HTML 文件；加 `--pdf` 用 Chromium 生成带页码的 PDF，需要中文字体 `fonts-noto-cjk`）；有网站地址时每个案例带二维码'),
    ('casebook export materials [--site-url 网址] [--problems] [--only 主题] [--zips]',
     '生成网站“培训资料”页的文件到 `dist/materials/`（默认为全部案例和每个实践类别各一份讲义（PDF 和 HTML），全部案例另有离线网站，附清单；加 `--problems` 另外为每个常见问题各生成一份；`--only` 只生成指定的主题；`--zips` 为每个主题都另外生成离线网站，网站会大很多）；随后的 `mkdocs build` 把它们放进网站。CI 发布时自动运行'),
    ('casebook render --out 目录',
     '不运行网站生成器，写出完整的文档目录：`目录/docs/`（全部页面、下载文件、资源）、`目录/theme/`、搜索词典，以及一份不含本项目插件的 `目录/mkdocs.yml`；`mkdocs build -f 目录/mkdocs.yml` 生成的页面与插件构建相同'),
    ('casebook render --out 目录 --build zensical',
     "同上，再用 Zensical（第二个生成器，`pip install -e '.[zensical]'`，测试依赖已包含）生成网站到 `目录/site`"),
    ('casebook release [--dry-run]',
     '发布新的数据版本：先检查全部案例，再与上一版本的数据快照比较，写入中文更新记录（`cases/releases/changelog.yaml`）、本版本数据快照（`cases/releases/版本/cases.json`），并更新 `CITATION.cff` 和由它生成的 `.zenodo.json`'),
    ('casebook release --tag',
     '提交发布的文件之后运行：为最近一次发布的版本打带说明的 git 标签 `vX.Y.Z`（工作区有未提交的改动、数据在该版本之后又有修改或标签已存在时拒绝）；推送标签后，Zenodo 等存档可按 `.zenodo.json` 为每个版本登记 DOI'),
    ('casebook zenodo',
     '手工改过 `CITATION.cff` 之后，重新生成 `.zenodo.json`（测试会检查两者一致）'),
    ('casebook fuzz [--examples 10000]',
     '模糊测试：在案例库的副本里轮流改坏每一种输入文件（案例、受控词表的每个词表、原文、更新记录、数据快照及其字段规范、地名表、培训资料清单、`mkdocs.yml` 的设置、缓存：篡改、截断、换密钥、形状不对），交给真实的读取和检查程序；通过检查的还要能被网站读取和生成。按文件种类报告试了多少个输入、用了多少秒、失败几个（应为 0），失败时退出码为 1，CI 可以直接运行'),
    ('casebook bench [--sizes 案例数…]',
     '性能基准：生成指定数量的合成案例，计时检查、构建、预览和浏览器中的筛选，打印表格并写入 `bench-results.json`（见下文“性能基准”一节）'),
]


def description(*words: str) -> str:
    """What `casebook <words>` does: its rows' text, for argparse's description."""
    prefix = " ".join(("casebook", *words))
    return "\n\n".join(f"{usage}：{text}" for usage, text in ROWS if usage == prefix or usage.startswith(prefix + " "))


def markdown() -> str:
    return "\n".join(f"| `{usage}` | {text} |" for usage, text in ROWS)


if __name__ == "__main__":
    print(markdown())
