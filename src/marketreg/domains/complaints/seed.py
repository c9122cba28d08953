"""Demo data of the complaints domain: a year and a half of 12315 traffic.

``seed_complaints`` files every demo item through the real intake action (validation, routing,
statutory clocks, duplicate links, audit, events) and moves it on through the real handling
actions (accept, mediate, close, ODR reply, rating …). Those actions stamp *now*; the demo
spreads its items over the last 18 months, so after each action the timestamps it just wrote
are moved to the simulated time, and the deadlines that depend on them are recomputed with
the same rule functions (``rules.clocks``/``rules.due``, the rule version of the simulated
receipt date, the work calendar). Audit rows and domain events keep their real time: they
record when the demo was generated. Nothing else is written directly.

The category trees are production data (``categories.py``, ``data/categories.yaml``).

Size: about 200 of its lines are the demo's vocabulary (complaint templates, goods, services,
weights by industry and month), kept beside the generator that is their only reader.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from faker import Faker
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from marketreg.domains.complaints import actions, rules, service
from marketreg.domains.complaints.categories import CATEGORY_NAMES, load_categories
from marketreg.domains.complaints.classify import suggest
from marketreg.domains.complaints.models import DuplicateLink, Item, OdrUnit
from marketreg.domains.complaints.schemas import IntakeIn
from marketreg.domains.org import service as org
from marketreg.domains.org.enums import UserKind
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import service as registry
from marketreg.domains.registry.enums import EntityStatus, EntityType
from marketreg.kernel import clock
from marketreg.kernel.clock import BUSINESS_TZ
from marketreg.kernel.errors import DomainError
from marketreg.platform.authz import PUBLIC, SYSTEM, Actor
from marketreg.platform.calendar import load_calendar

DEMO_MONTHS = 18
# 一事多人 and 一人多次 clusters planted in the last weeks (see analytics.complaints.CLUSTER_RULES).
GROUP_COMPLAINANTS = 8
REPEAT_FILINGS = 7

SECTION_CATEGORIES: dict[str, tuple[str, ...]] = {
    "F": ("G0101", "G0102", "G0103", "G0104", "G0105", "G0106", "G0107", "G0108", "G0201", "G0202", "G0301",
          "G0302", "G0304", "G0305", "G0401", "G0402", "G0403", "G0404", "G0405", "G0406", "G0407", "G0501",
          "G0602", "G0701", "G0702", "G0801", "G0803", "G1001", "G2101", "G2101"),
    "C": ("G0102", "G0107", "G0108", "G0201", "G0302", "G0405", "G0602", "G0603", "G0702", "G0802"),
    "H": ("G1101", "G1101", "G1101", "G1102"),
    "O": ("G1103", "G1103", "G1104", "G1105", "G1106", "G1107", "G1108", "G1109", "G1111"),
    "I": ("G1201", "G1202", "G1203", "G1204", "G1301", "G1302", "G1303"),
    "K": ("G0601", "G1902", "G1902", "G1903"),
    "E": ("G1901", "G1901", "G0602"),
    "P": ("G1501", "G1502", "G1503", "G1504", "G1505"),
    "Q": ("G2401", "G2402", "G2403", "G1110"),
    "R": ("G1601", "G1601", "G1602", "G1603", "G1604"),
    "G": ("G1401", "G1401", "G2301", "G2302"),
    "J": ("G1701", "G1703", "G1801", "G1802"),
    "L": ("G2001", "G2102", "G2103", "G1903"),
    "A": ("G0406", "G0901", "G0902", "G0903"),
}
CONSUMER_SECTIONS = ("F", "H", "O", "I", "K", "P", "R", "Q", "G", "E")

GOODS_OBJECTS: dict[str, tuple[str, ...]] = {
    "G0101": ("手机", "蓝牙耳机", "充电宝"), "G0102": ("笔记本电脑", "平板电脑", "打印机"),
    "G0103": ("液晶电视", "投影仪"), "G0104": ("空调",), "G0105": ("冰箱",), "G0106": ("滚筒洗衣机",),
    "G0107": ("燃气热水器", "抽油烟机"), "G0108": ("扫地机器人", "净水器", "电暖器"),
    "G0201": ("羽绒服", "牛仔裤", "连衣裙"), "G0202": ("运动鞋", "皮鞋"), "G0301": ("面霜", "洗发水"),
    "G0302": ("沙发", "实木衣柜", "床垫"), "G0304": ("不粘锅", "保温杯"), "G0305": ("婴儿车", "儿童玩具"),
    "G0401": ("食用油", "大米"), "G0402": ("猪肉", "冷冻虾仁", "熟食"), "G0403": ("牛奶", "婴幼儿配方奶粉"),
    "G0404": ("保健品",), "G0405": ("蛋糕", "月饼", "饼干"), "G0406": ("水果", "蔬菜"),
    "G0407": ("罐头", "速冻水饺"), "G0501": ("感冒药", "中成药"), "G0602": ("瓷砖", "木门", "木地板"),
    "G0603": ("电线", "插座"), "G0701": ("白酒", "啤酒"), "G0702": ("桶装水", "饮料"),
    "G0801": ("新车", "新能源汽车"), "G0802": ("轮胎",), "G0803": ("电动自行车",), "G0901": ("玉米种子",),
    "G0902": ("复合肥",), "G0903": ("除草剂",), "G1001": ("黄金项链", "钻戒"), "G0601": ("商品房",),
    "G2101": ("牛奶", "面包", "水果", "熟食", "食用油"),
}
FOOD = {"G0401", "G0402", "G0403", "G0404", "G0405", "G0406", "G0407", "G0701", "G0702"}
SERVICES: dict[str, tuple[str, str]] = {  # code → (noun, what the consumer did)
    "G1101": ("餐饮服务", "就餐"), "G1102": ("住宿服务", "住宿"), "G1103": ("美容美发服务", "做美容美发"),
    "G1104": ("足疗按摩服务", "做足疗按摩"), "G1105": ("家政保洁服务", "请家政保洁"),
    "G1106": ("上门维修服务", "请师傅上门维修"), "G1107": ("干洗服务", "干洗衣服"),
    "G1108": ("婚纱摄影服务", "拍摄婚纱照"), "G1109": ("汽车保养服务", "保养汽车"),
    "G1110": ("养老护理服务", "为老人办理养老护理"), "G1111": ("宠物寄养服务", "寄养宠物"),
    "G1201": ("网购商品", "网上购物"), "G1202": ("直播带货商品", "在直播间购物"),
    "G1203": ("游戏充值", "给游戏账号充值"), "G1204": ("视频会员", "开通视频会员"),
    "G1301": ("手机套餐", "使用手机套餐"), "G1302": ("宽带业务", "安装宽带"), "G1303": ("增值业务", "使用手机号码"),
    "G1401": ("快递服务", "寄快递"), "G1501": ("驾校培训", "报名学车"), "G1502": ("课外辅导班", "给孩子报辅导班"),
    "G1503": ("舞蹈培训课程", "给孩子报舞蹈课"), "G1504": ("网课", "购买网课"), "G1505": ("早教课程", "报早教课程"),
    "G1601": ("健身私教课", "健身"), "G1602": ("演出门票", "购买演出门票"), "G1603": ("KTV包间", "唱歌"),
    "G1604": ("场馆服务", "订场地打球"), "G1701": ("信用卡业务", "办理信用卡"), "G1703": ("消费分期", "办理分期"),
    "G1801": ("重疾险", "投保重疾险"), "G1802": ("车险理赔", "办理车险理赔"), "G1901": ("家庭装修", "装修房子"),
    "G1902": ("物业服务", "居住"), "G1903": ("房屋租赁", "租房"), "G2001": ("跟团旅游", "参加跟团游"),
    "G2102": ("电视购物商品", "电视购物"), "G2103": ("保健讲座推销的产品", "参加健康讲座"),
    "G2301": ("网约车服务", "乘坐网约车"), "G2302": ("机票", "订机票"), "G2401": ("门诊治疗", "看病"),
    "G2402": ("医美项目", "做医美项目"), "G2403": ("种植牙", "种植牙"), "G9902": ("服务", "接受服务"),
}
FAULTS = {"G0101": "死机、充不进电", "G0102": "频繁蓝屏死机", "G0103": "屏幕出现竖线", "G0104": "不制冷",
          "G0105": "不制冷", "G0106": "脱水时异响", "G0107": "漏水", "G0108": "无法开机", "G0201": "起球褪色",
          "G0202": "开胶", "G0302": "开裂变形", "G0304": "掉漆", "G0305": "部件脱落", "G0602": "开裂",
          "G0801": "发动机异响", "G0802": "鼓包", "G0803": "电池无法充电", "G0601": "墙体开裂、漏水"}

# problem → (title, facts, request); {obj} a noun, {act} what the consumer did, {shop} the respondent
TEMPLATES: dict[str, tuple[str, str, str]] = {
    "P0101": ("{obj}质量问题", "{date}在{shop}购买{obj}，花费{amount}元，使用不到{n}天就出现{fault}，无法正常使用。",
              "要求退货退款"),
    "P0102": ("{obj}服务质量差", "{date}在{shop}{act}，服务质量很差，实际服务内容与约定不符，没有达到承诺的效果。",
              "要求退还部分费用"),
    "P0103": ("手机信号差、网速慢", "本人使用{shop}的{obj}，家中和小区内信号差，经常没信号，网速很慢，通话断断续续，"
              "已持续{n}天。", "要求尽快解决网络覆盖问题"),
    "P0201": ("{obj}存在安全隐患", "{date}在{shop}购买的{obj}，正常使用中突然冒烟起火，险些造成人身伤害。",
              "要求赔偿损失"),
    "P0202": ("{obj}变质", "{date}在{shop}购买的{obj}，食用时发现已经变质发霉，有异味，家人食用后出现腹泻。",
              "要求退一赔十"),
    "P0301": ("被多收费用", "{date}在{shop}{act}，结账时被额外收取{small}元费用，事先没有告知，商家不予解释。",
              "要求退还多收的费用"),
    "P0302": ("价格与标价不符", "{date}在{shop}{act}，标价{p1}元，结账时却按{p2}元收取，价格与标价不符。",
              "要求退还差价"),
    "P0303": ("话费账单异常",
              "本人在{shop}办理的{obj}，本月账单比平时多出{small}元，流量费计费异常，查询详单无法说明原因。",
              "要求核实并退还多收话费"),
    "P0401": ("短斤少两", "{date}在{shop}购买{obj}，回家复称发现短斤少两，实际重量比小票少了{g}克。", "要求补足并赔偿"),
    "P0501": ("{obj}未按约定履行", "{date}与{shop}约定{act}，已支付{amount}元，约定{n}天内完成，至今未履行，"
              "多次联系均以各种理由拖延。", "要求履行合同或退款"),
    "P0502": ("未经同意开通收费业务", "本人在{shop}{act}，被私自开通了收费项目，本人从未订购，每月扣费{small}元，"
              "已扣了{n}个月。", "要求取消并退还费用"),
    "P0503": ("定金不退",
              "{date}与{shop}签订{obj}合同并交了{amount}元定金，现因故解除合同，对方拒绝退还定金并要求支付违约金。",
              "要求退还定金"),
    "P0601": ("{obj}退货被拒", "{date}在{shop}购买{obj}，收到后发现有质量问题，要求退货，商家以已拆封为由拒绝退换。",
              "要求退货退款"),
    "P0602": ("{obj}维修问题",
              "{date}在{shop}购买的{obj}在保修期内出现{fault}，送修{n}次仍修不好，维修点还要另收维修费。",
              "要求更换或退货"),
    "P0603": ("业务办理受阻", "本人到{shop}营业厅申请{obj}销户，工作人员以各种理由不给办理，已往返{n}次。",
              "要求尽快办理"),
    "P0604": ("服务态度差", "在{shop}{act}时，工作人员服务态度恶劣，对我提出的问题推诿敷衍，多次联系无人处理。",
              "要求赔礼道歉并解决问题"),
    "P0701": ("虚假宣传", "{shop}宣传其{obj}{claim}，购买后发现与宣传不符，明显夸大宣传。", "要求退款并赔偿"),
    "P0702": ("活动承诺未兑现", "{shop}宣传办理{obj}可获赠{gift}，本人按要求参加活动后，至今未兑现赠品。",
              "要求兑现承诺"),
    "P0801": ("疑似假冒{obj}", "{date}在{shop}购买的{obj}，经品牌方鉴定不是正品，系假冒产品。", "要求退一赔三"),
    "P0802": ("三无产品", "{date}在{shop}购买的{obj}没有生产厂家、厂址和合格证，属于三无产品。", "要求退款并依法处理"),
    "P0901": ("店员辱骂消费者", "在{shop}{act}时与店员发生争执，店员辱骂我并有推搡行为，侵犯了我的人格尊严。",
              "要求赔礼道歉"),
    "P1001": ("个人信息被泄露", "在{shop}{act}后，频繁接到推销电话，怀疑{shop}泄露了我的个人信息。", "要求依法查处"),
    "P1101": ("霸王条款", "{shop}在{obj}合同中写有“最终解释权归本店所有”“概不退换”等条款，属于不公平格式条款。",
              "要求认定条款无效并退款"),
    "P1201": ("预付卡退费难", "{date}在{shop}办理了{amount}元的会员卡，现商家突然关门停业，卡内余额{rest}元无法消费。",
              "要求退还余额"),
    "P1202": ("退款纠纷", "{date}在{shop}预订{obj}并支付{amount}元，后因故取消，商家拒绝退款。", "要求全额退款"),
}
GOODS_PROBLEMS = {"P0101": 30, "P0601": 18, "P0602": 8, "P0302": 8, "P0301": 3, "P0501": 8, "P0701": 6,
                  "P0801": 6, "P0802": 2, "P0201": 2, "P1101": 2}
FOOD_PROBLEMS = {"P0202": 40, "P0302": 10, "P0401": 10, "P0802": 8, "P0601": 8, "P0801": 5, "P0701": 4}
SERVICE_PROBLEMS = {"P0102": 20, "P0501": 10, "P0503": 6, "P0604": 10, "P0302": 6, "P0301": 8, "P1202": 12,
                    "P0702": 5, "P1101": 4, "P1001": 3, "P0901": 2}
SPECIAL_PROBLEMS: dict[str, dict[str, int]] = {
    "G1001": {"P0401": 15, "P0801": 15, "P0101": 10, "P0601": 10},
    "G0601": {"P0501": 30, "P0101": 25, "P0701": 20, "P1101": 10, "P0503": 10},
    "G1101": {"P0202": 30, "P0302": 12, "P0301": 12, "P0604": 10, "P0102": 8, "P1201": 4},
    "G1301": {"P0103": 30, "P0303": 25, "P0502": 15, "P0702": 12, "P0603": 10, "P0604": 8},
    "G1302": {"P0103": 35, "P0303": 15, "P0502": 10, "P0603": 15, "P0702": 10},
    "G1303": {"P0502": 50, "P0303": 30, "P0604": 10},
    "G1401": {"P0501": 50, "P0604": 25, "P1202": 10},
    "G1203": {"P0502": 20, "P1202": 25, "P1101": 10, "P0102": 10},
    "G1204": {"P0502": 35, "P1202": 20, "P1101": 10},
    "G2101": {"P0302": 30, "P0202": 25, "P0301": 10, "P0604": 10, "P0401": 10, "P0801": 5},
}
PREPAID = {"G1103", "G1104", "G1107", "G1109", "G1501", "G1502", "G1503", "G1505", "G1601"}
CLAIMS = ("是进口原装正品", "效果立竿见影", "能治疗高血压", "零甲醛", "终身免费保修")
GIFTS = ("价值500元的礼品", "200元话费", "一台平板电脑", "免费保养三次", "三个月免费服务")
STREETS = ("人民路", "解放路", "建设路", "胜利街", "文化路", "和平路", "新华路", "青年路", "泰山路", "黄河路", "经十路",
           "花园路", "工业路", "滨河路", "府前街")
REPLIES_SETTLED = (
    "{title}您好，经核实情况属实，已为您办理退款{amount}元，给您带来不便深表歉意。",
    "{title}您好，已与您电话协商一致，为您更换新品并补偿{small}元，感谢您的监督。",
    "经核实，已按照双方协商结果处理完毕，今后将加强管理。",
)
REPLIES_DECLINED = (
    "经核实，该商品已超过退换期限且存在人为损坏，无法按消费者要求处理，建议通过市场监管部门调解。",
    "{title}您好，您的诉求超出我公司规定的赔付标准，暂无法达成一致。",
)
REFUSAL_GROUNDS = {"not_in_remit": 40, "not_consumer": 25, "materials_missing": 20, "already_handled": 15}
RATINGS_GOOD = {5: 50, 4: 30, 3: 12, 2: 5, 1: 3}
RATINGS_POOR = {5: 8, 4: 12, 3: 25, 2: 25, 1: 30}
# Seasonal weights by month (3·15 and the shopping festivals of June and November).
MONTH_WEIGHTS = {1: 0.9, 2: 0.8, 3: 1.4, 4: 1.0, 5: 1.0, 6: 1.2, 7: 1.1, 8: 1.1, 9: 1.0, 10: 1.0, 11: 1.3,
                 12: 1.15}


@dataclass(frozen=True, slots=True)
class DemoEntity:
    uscc: str
    name: str
    region_code: str
    address: str
    section: str
    entity_type: str


@dataclass(slots=True)
class Person:
    name: str
    phone: str
    address: str


@dataclass(slots=True)
class Plan:
    received_at: dt.datetime
    entity: DemoEntity
    kind: str
    channel: str
    person: Person | None
    category: str | None
    problem: str | None
    title: str
    facts: str
    request: str | None
    amount: int
    also_report: bool = False
    consultation_answer: str = ""


@dataclass(slots=True)
class SeedReport:
    planned: int = 0
    created: int = 0
    skipped: int = 0
    closed: int = 0
    failed: int = 0
    odr_units: list[str] | None = None
    enterprise_uscc: str | None = None
    group_respondent: str | None = None
    repeat_phone: str | None = None


def _pick(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]
AMOUNTS = {"G0601": (300_000, 1_500_000), "G0801": (60_000, 300_000), "G1001": (2_000, 30_000),
           "G0104": (2_000, 8_000), "G0105": (2_000, 9_000), "G0106": (1_500, 6_000), "G0102": (2_000, 9_000),
           "G0101": (800, 7_000), "G1901": (30_000, 200_000), "G2402": (3_000, 40_000), "G2403": (5_000, 30_000),
           "G1501": (3_000, 6_000), "G1601": (2_000, 12_000), "G2001": (1_500, 8_000)}
REFER_TO = ("区住房和城乡建设局", "区卫生健康委员会", "区交通运输局", "区教育和体育局", "通信管理局")
CONSULT_ANSWER = ("根据《中华人民共和国消费者权益保护法》第二十四条，经营者提供的商品或者服务不符合质量要求的，"
                  "消费者可以依照国家规定、当事人约定退货，或者要求经营者履行更换、修理等义务。")


def _money(rng: random.Random, category: str | None) -> int:
    low, high = AMOUNTS.get(category or "", (30, 3_000))
    return int(rng.uniform(low, high) // 10 * 10) or 10


def _describe(rng: random.Random, entity: DemoEntity, category: str, problem: str,
              received_on: dt.date) -> tuple[str, str, str, int, dt.date]:
    if category in SERVICES:
        obj, act = SERVICES[category]
    else:
        obj = rng.choice(GOODS_OBJECTS.get(category, (CATEGORY_NAMES.get(category, "商品"),)))
        act = f"购买{obj}"
    purchased = received_on - dt.timedelta(days=rng.randint(1, 60))
    amount = _money(rng, category)
    price = rng.choice((9.9, 19.8, 29.9, 49, 88, 128, 199))
    values = {
        "obj": obj, "act": act, "shop": entity.name, "amount": amount,
        "date": f"{purchased.year}年{purchased.month}月{purchased.day}日",
        "small": rng.choice((20, 30, 50, 88, 120, 200)), "n": rng.randint(3, 40),
        "fault": FAULTS.get(category, "质量问题"),
        "p1": price, "p2": round(price * rng.choice((1.2, 1.5, 2)), 1), "g": rng.choice((50, 100, 150, 250, 500)),
        "rest": int(amount * rng.uniform(0.3, 0.9)), "claim": rng.choice(CLAIMS), "gift": rng.choice(GIFTS),
    }
    title, facts, request = (part.format(**values) for part in TEMPLATES[problem])
    return title[:200], facts, request, amount, purchased


def _problem_for(rng: random.Random, category: str) -> str:
    if category in SPECIAL_PROBLEMS:
        return _pick(rng, SPECIAL_PROBLEMS[category])
    if category in FOOD:
        return _pick(rng, FOOD_PROBLEMS)
    if category in SERVICES:
        return _pick(rng, SERVICE_PROBLEMS | ({"P1201": 35} if category in PREPAID else {}))
    return _pick(rng, GOODS_PROBLEMS)


def _category_for(rng: random.Random, entity: DemoEntity) -> str:
    return rng.choice(SECTION_CATEGORIES.get(entity.section, ("G9902",)))


def _person(rng: random.Random, fake, counties: dict[str, tuple[str, str]], region_code: str) -> Person:
    code = region_code if region_code in counties and rng.random() < 0.85 else rng.choice(list(counties))
    county, city = counties[code]
    address = (f"山东省{city}{county}{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}号楼"
               f"{rng.randint(1, 3)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室")
    return Person(fake.name(), f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", address)


def _when(rng: random.Random, *, now: dt.datetime, months: int) -> dt.datetime:
    """A receipt instant in the last ``months`` months, weighted by season and a slow growth."""

    today = now.astimezone(BUSINESS_TZ).date()
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    weights = [MONTH_WEIGHTS[d.month] * (1 + 0.02 * (months - i)) for i, d in enumerate(firsts)]
    while True:
        first = rng.choices(firsts, weights)[0]
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        local = dt.datetime.combine(day, dt.time(rng.randint(7, 21), rng.randrange(60)), tzinfo=BUSINESS_TZ)
        instant = local.astimezone(dt.UTC)
        if instant < now - dt.timedelta(hours=2):
            return instant


def _recent(rng: random.Random, now: dt.datetime, low: int, high: int) -> dt.datetime:

    day = now.astimezone(BUSINESS_TZ).date() - dt.timedelta(days=rng.randint(low, high))
    local = dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randrange(60)), tzinfo=BUSINESS_TZ)
    return min(local.astimezone(dt.UTC), now - dt.timedelta(hours=3))


def _plan(rng: random.Random, fake, *, n: int, entities: list[DemoEntity], popular: list[DemoEntity],
          counties: dict[str, tuple[str, str]], now: dt.datetime, report: SeedReport) -> list[Plan]:
    consumer = [e for e in entities if e.section in CONSUMER_SECTIONS] or entities
    plans: list[Plan] = []

    def filing(entity: DemoEntity, received_at: dt.datetime, *, kind: str, person: Person | None,
               category: str | None = None, problem: str | None = None, channel: str | None = None,
               also_report: bool = False) -> Plan:
        category = category or _category_for(rng, entity)
        problem = problem or _problem_for(rng, category)
        title, facts, request, amount, _ = _describe(rng, entity, category, problem,
                                                     received_at.astimezone(dt.UTC).date())
        answer = ""
        if kind == "report":
            title, facts, request = f"举报：{entity.name}{title}"[:200], f"{facts}请依法查处。", None
        elif kind == "consultation":
            title = f"咨询：{CATEGORY_NAMES[category]}消费维权"
            facts = (f"想咨询一下，在{entity.name}消费时遇到{CATEGORY_NAMES[category]}方面的问题，"
                     "可以要求退换或者赔偿吗？")
            request, problem, answer = None, None, CONSULT_ANSWER
        channel = channel or _pick(rng, {"web": 62, "hotline": 30, "letter": 4, "visit": 4})
        return Plan(received_at, entity, kind, channel, person, category, problem, title, facts, request, amount,
                    also_report, answer)

    ordinary = max(n - GROUP_COMPLAINANTS - REPEAT_FILINGS, 0)
    rank_weights = [1 / (i + 1) ** 0.8 for i in range(len(popular))]
    for _ in range(ordinary):
        roll = rng.random()
        entity = rng.choices(popular, rank_weights)[0] if popular and roll < 0.3 else rng.choice(consumer)
        received_at = _when(rng, now=now, months=DEMO_MONTHS)
        kind_roll = rng.random()
        if kind_roll < 0.79:
            plans.append(filing(entity, received_at, kind="complaint", also_report=kind_roll >= 0.76,
                                person=_person(rng, fake, counties, entity.region_code)))
        elif kind_roll < 0.92:
            anonymous = rng.random() < 0.3
            plans.append(filing(entity, received_at, kind="report",
                                person=None if anonymous else _person(rng, fake, counties, entity.region_code),
                                channel=_pick(rng, {"web": 70, "hotline": 25, "letter": 5})))
        else:
            plans.append(filing(entity, received_at, kind="consultation",
                                person=_person(rng, fake, counties, entity.region_code)))

    # 一事多人: a gym or beauty salon in Jinan closes with members' prepaid balances (recent weeks).
    group_candidates = [e for e in entities if e.section in ("R", "O", "P") and e.region_code.startswith("3701")
                        and e not in popular] or consumer
    if n >= GROUP_COMPLAINANTS + REPEAT_FILINGS and group_candidates:
        target = group_candidates[0]
        prepaid = [c for c in SECTION_CATEGORIES.get(target.section, ()) if c in PREPAID] or ["G1601"]
        report.group_respondent = target.uscc
        for _ in range(GROUP_COMPLAINANTS):
            plans.append(filing(target, _recent(rng, now, 3, 26), kind="complaint", category=prepaid[0],
                                problem="P1201", person=_person(rng, fake, counties, target.region_code)))
        # 一人多次: one phone against food sellers, asking for tenfold damages (办法第十七条 factors).
        sellers = [e for e in entities if e.section == "F" and e not in popular][:REPEAT_FILINGS - 1] or consumer[:1]
        repeater = _person(rng, fake, counties, sellers[0].region_code)
        report.repeat_phone = repeater.phone
        targets = [*sellers, sellers[0]][:REPEAT_FILINGS]
        for index, seller in enumerate(targets):
            plans.append(filing(seller, _recent(rng, now, 2 + 3 * index, 4 + 3 * index), kind="complaint",
                                category="G0407", problem="P0202" if index in (0, len(targets) - 1)
                                else rng.choice(("P0202", "P0802")), person=repeater,
                                channel="web"))
    plans.sort(key=lambda p: p.received_at)
    return plans


class _Run:
    """State of one seeding run: the clock it started at, the calendar, the actors."""

    def __init__(self, session: Session, rng: random.Random, started: dt.datetime):

        self.rng = rng
        self.started = started
        self.cutoff = started - dt.timedelta(hours=1)
        self.calendar = load_calendar(session)
        self.overrides = service.rule_overrides(session)
        self.unit_names: dict[str, str] = {}

    def rules_for(self, received_on: dt.date):

        return rules.ruleset_for(received_on, self.overrides)

    def fresh(self, value: dt.datetime | None) -> bool:
        if value is None:
            return False
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)) >= self.started

    def handler(self, session: Session, org_path: str):

        if org_path not in self.unit_names:
            unit = org.unit_by_code(session, code=org_path.rstrip("/").rsplit("/", 1)[-1])
            self.unit_names[org_path] = unit.name if unit else "山东省12315指挥中心"
        name = self.unit_names[org_path]
        return Actor(None, "demo_handler", f"{name}12315办理员", None, org_path, name, kind="staff",
                     permissions=frozenset({"complaints.view", "complaints.handle", "complaints.intake"}))

    def workday_after(self, instant: dt.datetime, workdays: int) -> dt.datetime:

        day = clock.business_date(instant)
        if workdays > 0:
            day = self.calendar.add_workdays(day, workdays).due_on
        return max(self._office(day), instant + dt.timedelta(minutes=30))

    def days_after(self, instant: dt.datetime, days: int) -> dt.datetime:

        return max(self._office(clock.business_date(instant) + dt.timedelta(days=days)),
                   instant + dt.timedelta(minutes=30))

    def _office(self, day: dt.date) -> dt.datetime:

        local = dt.datetime.combine(day, dt.time(self.rng.randint(8, 17), self.rng.randrange(60)), tzinfo=BUSINESS_TZ)
        return local.astimezone(dt.UTC)


def _next_due(item) -> dt.date | None:
    """The due date the work queue sorts by (mirrors ``actions.common._refresh_next_due``)."""
    return {"received": item.accept_due_on, "odr_pending": item.odr_due_on, "accepted": item.mediation_due_on,
            "mediating": item.mediation_due_on, "verifying": item.report_due_on}.get(item.status)


def _rebase_intake(session: Session, run: _Run, item, received_at: dt.datetime, odr_days: int | None) -> None:
    """Move a just-filed item to its simulated receipt instant and recompute its clocks."""


    received_on = clock.business_date(received_at)
    rule_set = run.rules_for(received_on)
    steps = {c.step: c for c in rules.clocks(run.calendar, kind=item.kind, received_on=received_on,
                                             rules=rule_set)}
    item.received_at = item.created_at = item.updated_at = received_at
    item.received_on, item.rule_version = received_on, rule_set.version
    item.accept_due_on = steps["accept_decision"].due_on if "accept_decision" in steps else None
    item.report_due_on = steps["report_filing_decision"].due_on if item.kind == "report" else None
    item.first_response_due_at = received_at + dt.timedelta(hours=rule_set.figure("first_response").value)
    item.provisional = any(c.provisional for c in steps.values())
    if item.odr_due_on is not None and odr_days:
        item.odr_due_on = run.calendar.add_workdays(received_on, odr_days).due_on
    known_address = item.routing_rule in ("place_of_business", "place_of_act")
    decision = rules.route(rule_set, kind=item.kind, respondent=rules.Respondent(
        region_code=item.region_code, address_region_code=item.region_code if known_address else None))
    if decision.region_code == item.region_code:
        item.routing_rule, item.routing_basis = decision.rule, decision.basis
    for step in item.steps:
        step.at = received_at
        if step.action == "received":
            step.basis, step.due_on = item.routing_basis, item.accept_due_on or item.report_due_on
        elif step.action == "odr_forwarded":
            step.due_on = item.odr_due_on
    item.next_due_on = _next_due(item)
    # Duplicate links against the simulated window (the intake looked back from today).
    session.execute(delete(DuplicateLink).where(DuplicateLink.item_id == item.id))
    for other, score in service.similar_earlier(session, item=item):
        session.add(DuplicateLink(item_id=item.id, other_id=other.id, score=round(score, 3)))


_ITEM_TIMES = ("first_response_at", "accepted_at", "mediation_started_at", "closed_at", "rated_at",
               "enterprise_replied_at", "updated_at")


def _rebase(run: _Run, item, at: dt.datetime) -> None:
    """Move what the last action stamped with *now* to the simulated instant ``at``."""

    accepted_now = run.fresh(item.accepted_at)
    for name in _ITEM_TIMES:
        if run.fresh(getattr(item, name)):
            setattr(item, name, at)
    rule_set = run.rules_for(item.received_on)
    if accepted_now:
        item.mediation_due_on = rules.due(run.calendar, clock.business_date(at),
                                          rule_set.figure("mediation_limit")).due_on
    for step in item.steps:
        if not run.fresh(step.at):
            continue
        step.at = at
        if step.action in ("accepted", "mediation_started"):
            step.due_on = item.mediation_due_on
        elif step.action == "odr_fallback":
            step.due_on = item.accept_due_on
        elif step.action in ("termination_notice_due", "report_notice_due"):
            key = "termination_notice" if step.action.startswith("termination") else "report_notice"
            if key in rule_set.figures:
                step.due_on = run.calendar.add_workdays(clock.business_date(at), rule_set.figure(key).value).due_on
    item.next_due_on = _next_due(item)


def _complaint_events(run: _Run, item, start: dt.datetime) -> list[tuple[str, dt.datetime, dict]]:
    """Acceptance decision, then mediation or another outcome, then (maybe) a rating."""

    rng = run.rng
    events: list[tuple[str, dt.datetime, dict]] = []
    workdays = int(_pick(rng, {0: 14, 1: 18, 2: 18, 3: 14, 4: 11, 5: 8, 6: 6, 7: 4, 8: 3, 9: 2, 10: 2}))
    decided = max(run.workday_after(item.received_at, workdays), start + dt.timedelta(hours=2))
    roll = rng.random()
    if roll < 0.08:
        return [("refuse", decided, {"ground": _pick(rng, REFUSAL_GROUNDS)})]
    if roll < 0.11:
        return [("refer", decided, {"to": rng.choice(REFER_TO)})]
    events.append(("accept", decided, {}))
    roll = rng.random()
    if roll < 0.15:
        events.append(("settle", run.days_after(decided, rng.randint(1, 12)), {}))
    elif roll < 0.23:
        events.append(("terminate", run.days_after(decided, rng.randint(2, 10)), {"ground": "refused_mediation"}))
    else:
        started = run.workday_after(decided, rng.randint(0, 3))
        events.append(("mediate", started, {}))
        if rng.random() < 0.78:
            events.append(("mediated", run.days_after(started, rng.randint(2, 30)), {}))
        else:
            ground = _pick(rng, {"no_agreement_possible": 50, "refused_mediation": 30, "time_limit": 20})
            if ground == "time_limit":
                limit = rules.due(run.calendar, clock.business_date(decided),
                                  run.rules_for(item.received_on).figure("mediation_limit")).due_on
                ended = run.days_after(run._office(limit), rng.randint(1, 3))
            else:
                ended = run.days_after(started, rng.randint(5, 35))
            events.append(("terminate", ended, {"ground": ground}))
    return events


def _rating_event(run: _Run, closing: tuple[str, dt.datetime, dict]) -> list[tuple[str, dt.datetime, dict]]:
    if run.rng.random() >= 0.55:
        return []
    good = closing[0] in ("settle", "mediated", "odr_settle")
    rating = int(_pick(run.rng, RATINGS_GOOD if good else RATINGS_POOR))
    return [("rate", closing[1] + dt.timedelta(days=run.rng.randint(0, 7), hours=run.rng.randint(1, 10)),
             {"rating": rating})]


def _events(run: _Run, item, odr: bool) -> list[tuple[str, dt.datetime, dict]]:
    rng = run.rng
    if item.status == "closed":
        return []
    if item.kind == "consultation":
        return [("answer", run.workday_after(item.received_at, rng.randint(0, 1)), {})]
    if item.kind == "report":
        workdays = int(_pick(rng, {3: 10, 5: 20, 8: 20, 10: 15, 12: 12, 14: 10, 16: 5, 18: 4, 20: 4}))
        return [("decide", run.workday_after(item.received_at, workdays), {"filed": rng.random() < 0.35})]
    events: list[tuple[str, dt.datetime, dict]] = []
    if odr and item.status == "odr_pending":
        replied = run.workday_after(item.received_at, rng.randint(1, 4))
        if rng.random() < 0.7:
            events.append(("odr_settle", replied, {}))
        else:
            events.append(("odr_decline", replied, {}))
            events.extend(_complaint_events(run, item, replied))
    else:
        events.extend(_complaint_events(run, item, item.received_at))
    if events and events[-1][0] in ("refuse", "refer", "settle", "mediated", "terminate", "odr_settle"):
        events.extend(_rating_event(run, events[-1]))
    return events


def _reply(rng: random.Random, plan: Plan, settled: bool) -> str:
    person = plan.person
    title = f"{person.name[0]}{rng.choice(('先生', '女士'))}" if person else "消费者"
    template = rng.choice(REPLIES_SETTLED if settled else REPLIES_DECLINED)
    return template.format(title=title, amount=plan.amount, small=rng.choice((50, 100, 200)))


def _run_event(session: Session, run: _Run, item, plan: Plan, name: str, params: dict) -> None:

    staff = run.handler(session, item.org_path)
    if name == "accept":
        actions.do_accept(session, actor=staff, item_id=item.id)
    elif name == "refuse":
        actions.do_refuse(session, actor=staff, item_id=item.id, ground=params["ground"])
    elif name == "refer":
        actions.do_refer(session, actor=staff, item_id=item.id, to=params["to"])
    elif name == "settle":
        actions.do_settle(session, actor=staff, item_id=item.id, note="双方自行协商一致，被投诉人已按消费者要求处理。")
    elif name == "mediate":
        actions.do_start_mediation(session, actor=staff, item_id=item.id, complainant_consents=True,
                                   respondent_consents=True)
    elif name == "mediated":
        actions.do_close_mediated(session, actor=staff, item_id=item.id,
                                  note=f"经调解，双方达成一致：被投诉人退赔{max(plan.amount // 2, 10)}元。")
    elif name == "terminate":
        actions.do_terminate_mediation(session, actor=staff, item_id=item.id, ground=params["ground"])
    elif name == "decide":
        actions.do_decide_report(session, actor=staff, item_id=item.id, filed=params["filed"])
    elif name == "answer":
        actions.do_answer(session, actor=staff, item_id=item.id, answer=plan.consultation_answer or CONSULT_ANSWER)
    elif name in ("odr_settle", "odr_decline"):
        settled = name == "odr_settle"
        enterprise = Actor(None, f"ent_{plan.entity.uscc[-6:]}", plan.entity.name, None, "/", plan.entity.name,
                           kind=UserKind.enterprise, entity_uscc=plan.entity.uscc)
        actions.do_odr_reply(session, actor=enterprise, item_id=item.id, reply=_reply(run.rng, plan, settled),
                             settled=settled)
    elif name == "rate":
        # The rating window runs from the (simulated) closure; only ratings inside it are planned.
        closed_at, item.closed_at = item.closed_at, clock.now()
        try:
            actions.do_rate(session, actor=PUBLIC, query_code=item.query_code, phone=item.complainant_phone or "",
                            rating=params["rating"], resolved=True)
        finally:
            item.closed_at = closed_at
    else:  # pragma: no cover - a typo in the planner
        raise ValueError(name)


def _file(session: Session, run: _Run, plan: Plan, key: str, odr_days: dict[str, int], report: SeedReport) -> None:


    person = plan.person
    received_on = plan.received_at.date()
    purchased = received_on - dt.timedelta(days=run.rng.randint(1, 30))
    data = IntakeIn(
        kind=plan.kind, also_report=plan.also_report, channel=plan.channel, anonymous=person is None,
        share_contact=person is not None,  # demo consumers agree to give the enterprise their phone
        complainant_name=person.name if person else None, complainant_phone=person.phone if person else None,
        complainant_address=person.address if person else None, respondent_name=plan.entity.name,
        respondent_uscc=plan.entity.uscc, respondent_address=plan.entity.address, title=plan.title,
        facts=plan.facts, request=plan.request, category_code=plan.category, problem_code=plan.problem,
        amount=Decimal(plan.amount) if plan.kind == "complaint" else None,
        purchased_on=purchased if plan.kind == "complaint" else None,
        harm_known_on=purchased + dt.timedelta(days=1) if plan.kind == "complaint" else None,
    )
    items = actions.do_intake(session, actor=PUBLIC if plan.channel == "web" else SYSTEM, data=data,
                              idempotency_key=key)
    guess = suggest(f"{plan.title}\n{plan.facts}")
    for item in items:
        _rebase_intake(session, run, item, plan.received_at, odr_days.get(plan.entity.uscc))
        item.suggested_category = item.suggested_category or guess.category_code
        item.suggested_problem = item.suggested_problem or guess.problem_code
        for name, at, params in _events(run, item, plan.entity.uscc in odr_days):
            if at > run.cutoff:
                break
            _run_event(session, run, item, plan, name, params)
            _rebase(run, item, at)
        report.created += 1
        report.closed += item.status == "closed"
    session.flush()


def _choose_enterprise(entities: list[DemoEntity]) -> DemoEntity | None:
    """The demo enterprise user's company: a consumer-facing enterprise in 历下区 (370102)."""
    for sections in (("F", "H", "I", "R", "O", "K", "P"), CONSUMER_SECTIONS, tuple(SECTION_CATEGORIES)):
        found = [e for e in entities if e.region_code == "370102" and e.entity_type == EntityType.enterprise
                 and e.section in sections]
        if found:
            return found[0]
    return None


def ensure_odr_units(session: Session, *, units: list[DemoEntity], joined_on: dt.date) -> list[str]:

    for entity in units:
        if session.get(OdrUnit, entity.uscc) is None:
            session.add(OdrUnit(uscc=entity.uscc, name=entity.name, active=True, reply_workdays=5,
                                joined_on=joined_on))
    session.flush()
    return [e.uscc for e in units]


def seed_complaints(sessions, *, n: int = 300, seed: int = 2026, progress: Callable[[int], None] | None = None,
                    batch: int = 25) -> SeedReport:
    """File ``n`` demo items over the last 18 months (idempotent for the same seed and ``n``).

    Needs seeded market entities. Returns what it did, including the ODR enterprise chosen
    for the demo enterprise user.
    """


    report = SeedReport()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    started = clock.now()
    with sessions.transaction() as session:
        load_categories(session)
        counties = {code: (name, city) for code, name, city, _ in reference.county_rows(session)}
        entities = [DemoEntity(e.uscc, e.name, e.region_code, e.address, e.industry_section, e.entity_type)
                    for e in registry.iter_entities(session, actor=SYSTEM, limit=6000,
                                                    filters=registry.EntityFilter(status=EntityStatus.active))]
        if not entities:
            raise DomainError("complaints.seed_needs_entities", "请先生成市场主体（marketreg seed --entities N）")
        enterprise = _choose_enterprise(entities)
        consumer = [e for e in entities if e.section in CONSUMER_SECTIONS and e.entity_type == EntityType.enterprise]
        popular = ([enterprise] if enterprise else []) + [e for e in consumer if e != enterprise][:29]
        joined = clock.today() - dt.timedelta(days=31 * (DEMO_MONTHS + 2))
        report.odr_units = ensure_odr_units(session, units=popular[:6], joined_on=joined)
        report.enterprise_uscc = enterprise.uscc if enterprise else None
        odr_days = {u.uscc: u.reply_workdays for u in session.scalars(
            select(OdrUnit).where(OdrUnit.uscc.in_(report.odr_units)))}
    plans = _plan(rng, fake, n=n, entities=entities, popular=popular, counties=counties, now=started, report=report)
    report.planned = len(plans)
    for offset in range(0, len(plans), batch):
        with sessions.transaction() as session:
            run = _Run(session, random.Random(f"{seed}-{offset}"), started)
            keys = [f"demo{seed}-{offset + i}" for i in range(len(plans[offset:offset + batch]))]
            done = set(session.scalars(select(Item.idempotency_key).where(Item.idempotency_key.in_(keys))))
            for key, plan in zip(keys, plans[offset:offset + batch], strict=True):
                if key in done:
                    report.skipped += 1
                    continue
                try:
                    with session.begin_nested():
                        _file(session, run, plan, key, odr_days, report)
                except DomainError:
                    report.failed += 1
        if progress:
            progress(len(plans[offset:offset + batch]))
    return report
