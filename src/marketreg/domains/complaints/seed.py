"""Category trees and demo data of the complaints domain.

``CATEGORIES`` holds two two-level trees, each node with Chinese keywords:

* goods and service types (``G01`` → ``G0101``), modelled on the classification that the
  China Consumers Association (中国消费者协会) uses in its quarterly complaint reports and that
  12315 work orders follow: ten goods groups (家用电子电器类, 服装鞋帽类, 日用商品类, 食品类,
  医药及医疗用品类, 房屋及建材类, 烟酒饮料类, 交通工具类, 农用生产资料类, 首饰文体用品类) and the
  service groups (生活、社会服务类, 互联网服务, 电信服务, 邮政业服务, 教育培训服务, 文化、娱乐、体育服务,
  金融服务, 保险服务, 房屋装修及物业服务, 旅游服务, 销售服务, 公用事业服务, 交通运输服务, 卫生保健服务),
  ``G01``–``G10`` goods, ``G11``–``G24`` services, ``G99`` other;
* problem types (``P01`` → ``P0101``), after the CCA's 投诉问题性质 (质量, 安全, 价格, 计量, 假冒,
  合同, 虚假宣传, 人格尊严, 售后服务, 其他) with the problems that the Consumer Rights Protection
  Law singles out added as their own groups (个人信息 Art. 14/29, 不公平格式条款 Art. 26,
  预付款／退费 Art. 53).

The second levels and keywords are this project's own wording, written from the categories'
meaning; they are the only knowledge the category suggester (``classify.py``) has.
``load_categories`` puts them in the ``complaint_category`` table (idempotent; staff-added
rows are left alone).

``seed_complaints`` generates a demo year and a half of 12315 traffic through the real
intake and handling actions (see its docstring for what is written directly and why).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.complaints.models import Category


@dataclass(frozen=True, slots=True)
class Node:
    code: str
    name: str
    keywords: tuple[str, ...]
    children: tuple[Node, ...] = ()


def _n(code: str, name: str, keywords: str = "", *children: Node) -> Node:
    return Node(code, name, tuple(keywords.split()), tuple(children))


GOODS_TREE: tuple[Node, ...] = (
    # ------------------------------------------------------------------ 商品
    _n("G01", "家用电子电器", "家电 电器 家用电器",
       _n("G0101", "手机及通讯器材", "手机 智能手机 老年机 充电器 充电宝 耳机 蓝牙耳机 数据线 手机壳"),
       _n("G0102", "电脑及数码产品", "电脑 笔记本电脑 平板电脑 平板 台式机 显示器 打印机 相机 键盘 鼠标 "
                                      "智能手表 手环 学习机 硬盘 U盘"),
       _n("G0103", "电视机及影音设备", "电视 电视机 液晶电视 音响 投影仪 机顶盒 功放"),
       _n("G0104", "空调器", "空调 空调机 挂机 柜机 外机 内机 制冷 制热 加氟 移机"),
       _n("G0105", "电冰箱及冷柜", "冰箱 电冰箱 冰柜 冷柜 冷藏 冷冻室"),
       _n("G0106", "洗衣机", "洗衣机 滚筒 波轮 甩干 脱水 烘干机"),
       _n("G0107", "热水器及厨卫电器", "热水器 燃气热水器 电热水器 燃气灶 油烟机 抽油烟机 洗碗机 消毒柜 "
                                          "微波炉 烤箱 电饭煲 电磁炉 集成灶"),
       _n("G0108", "小家电", "吹风机 电吹风 电风扇 风扇 净水器 空气净化器 扫地机器人 电暖器 取暖器 加湿器 "
                             "榨汁机 破壁机 剃须刀 电动牙刷 按摩仪")),
    _n("G02", "服装鞋帽", "服装 服饰",
       _n("G0201", "服装", "衣服 服装 外套 羽绒服 棉服 大衣 裤子 牛仔裤 裙子 连衣裙 衬衫 T恤 毛衣 内衣 童装 "
                          "面料 起球 褪色 掉色 缩水 开线"),
       _n("G0202", "鞋", "鞋 鞋子 运动鞋 皮鞋 靴子 凉鞋 童鞋 开胶 鞋底 鞋面 断底"),
       _n("G0203", "帽子及服饰配件", "帽子 围巾 手套 袜子 腰带 皮带 领带")),
    _n("G03", "日用商品", "日用品 日用商品",
       _n("G0301", "化妆品及洗涤用品", "化妆品 护肤品 面膜 面霜 口红 粉底 洗发水 沐浴露 洗衣液 洗洁精 牙膏 "
                                        "染发剂 香水 美白 祛斑霜"),
       _n("G0302", "家具", "家具 沙发 床垫 床 衣柜 橱柜 书柜 餐桌 椅子 茶几 实木 板材 甲醛"),
       _n("G0303", "箱包", "箱包 行李箱 拉杆箱 背包 书包 手提包 钱包 皮包"),
       _n("G0304", "日用杂品", "纸巾 卫生纸 餐具 锅 炒锅 保温杯 水杯 雨伞 被子 床上用品 四件套 毛巾 牙刷 "
                               "拖把 塑料袋"),
       _n("G0305", "儿童用品及玩具", "玩具 童车 婴儿车 儿童座椅 奶瓶 纸尿裤 尿不湿 积木 儿童用品 婴儿用品")),
    _n("G04", "食品", "食品 食物 吃",
       _n("G0401", "粮油及调味品", "大米 面粉 挂面 食用油 花生油 大豆油 调和油 酱油 醋 调味品 调料 味精 "
                                   "食盐"),
       _n("G0402", "肉禽蛋及水产品", "猪肉 牛肉 羊肉 鸡肉 鸭肉 肉 鸡蛋 海鲜 水产品 鱼 虾 螃蟹 冻品 注水肉 "
                                     "熟食 火腿肠"),
       _n("G0403", "乳制品", "牛奶 奶粉 酸奶 乳制品 婴幼儿配方奶粉 奶制品"),
       _n("G0404", "保健食品", "保健品 保健食品 营养品 蛋白粉 维生素 减肥产品 胶囊 口服液"),
       _n("G0405", "糕点及休闲食品", "蛋糕 面包 月饼 糕点 零食 饼干 糖果 巧克力 坚果 方便面 膨化食品 "
                                     "速冻食品 粽子"),
       _n("G0406", "蔬菜水果", "水果 蔬菜 生鲜 苹果 西瓜 葡萄 果蔬 农产品"),
       _n("G0407", "其他预包装食品", "预包装食品 罐头 速食 食品标签 配料表 生产日期 保质期")),
    _n("G05", "医药及医疗用品", "医药",
       _n("G0501", "药品", "药 药品 药店 药房 处方药 非处方药 中药 西药 中成药 感冒药 药片"),
       _n("G0502", "医疗器械", "医疗器械 血压计 血糖仪 口罩 助听器 轮椅 体温计 隐形眼镜 制氧机 医用"),
       _n("G0503", "保健用品及器材", "按摩椅 理疗仪 保健器材 足浴盆 磁疗 保健枕 治疗仪")),
    _n("G06", "房屋及建材", "房屋 建材",
       _n("G0601", "商品房", "商品房 房子 购房 买房 新房 交房 房产证 不动产证 开发商 楼盘 售楼处 网签 首付 "
                             "精装修 公摊"),
       _n("G0602", "装饰装修材料", "瓷砖 地板 木地板 涂料 油漆 乳胶漆 门窗 木门 防盗门 卫浴 马桶 水龙头 "
                                   "淋浴 墙纸 壁纸 吊顶 石材 建材"),
       _n("G0603", "五金及电工材料", "五金 电线 电缆 开关 插座 水管 管材 灯具 灯泡 锁具")),
    _n("G07", "烟酒饮料", "烟酒",
       _n("G0701", "酒类", "酒 白酒 啤酒 红酒 葡萄酒 黄酒 洋酒 茅台 五粮液"),
       _n("G0702", "饮料及饮用水", "饮料 矿泉水 纯净水 桶装水 果汁 碳酸饮料 茶饮料 奶茶 咖啡 功能饮料"),
       _n("G0703", "茶叶", "茶叶 绿茶 红茶 普洱 茶饼"),
       _n("G0704", "烟草制品", "香烟 卷烟 烟草 电子烟 雪茄")),
    _n("G08", "交通工具", "交通工具 车",
       _n("G0801", "汽车", "汽车 轿车 新车 二手车 4S店 发动机 变速箱 车辆 提车 购车 新能源汽车 电动汽车 "
                           "续航 召回 车身"),
       _n("G0802", "汽车零部件及用品", "轮胎 机油 汽车配件 配件 刹车片 雨刮 车载 行车记录仪 汽车用品 座垫"),
       _n("G0803", "电动自行车及摩托车", "电动车 电动自行车 电瓶车 摩托车 电瓶 自行车 两轮车 三轮车 "
                                         "老年代步车")),
    _n("G09", "农用生产资料", "农资 农用 种地 庄稼",
       _n("G0901", "种子种苗", "种子 种苗 秧苗 不发芽 出苗 发芽率 减产 玉米种"),
       _n("G0902", "化肥", "化肥 肥料 复合肥 有机肥 尿素 叶面肥"),
       _n("G0903", "农药", "农药 除草剂 杀虫剂 杀菌剂 药害"),
       _n("G0904", "农机具", "农机 农机具 拖拉机 收割机 播种机 旋耕机 农用机械"),
       _n("G0905", "饲料及兽药", "饲料 兽药 饲料添加剂 养殖")),
    _n("G10", "首饰文体用品", "文体用品",
       _n("G1001", "金银珠宝首饰", "黄金 金饰 首饰 珠宝 钻石 钻戒 戒指 项链 手镯 手链 耳环 玉石 翡翠 和田玉 "
                                   "银饰 金店 足金"),
       _n("G1002", "文化办公用品", "文具 图书 书籍 教辅 办公用品 笔 本子 复印纸"),
       _n("G1003", "体育健身器材", "跑步机 健身器材 体育用品 运动器材 球拍 篮球 足球 哑铃 动感单车"),
       _n("G1004", "乐器", "乐器 钢琴 吉他 古筝 电子琴 小提琴"),
       _n("G1005", "眼镜及钟表", "眼镜 镜片 镜框 近视镜 太阳镜 手表 钟表 腕表")),
    # ------------------------------------------------------------------ 服务
    _n("G11", "生活社会服务", "生活服务",
       _n("G1101", "餐饮服务", "餐饮 餐厅 饭店 饭馆 餐馆 酒楼 外卖 菜品 点菜 吃饭 用餐 就餐 火锅 烧烤 自助餐 "
                               "后厨 包间 最低消费 开瓶费 服务费 饭菜"),
       _n("G1102", "住宿服务", "酒店 宾馆 旅馆 住宿 民宿 入住 退房 客房 房费 前台"),
       _n("G1103", "美容美发", "美容 美容院 美发 理发 理发店 烫发 染发 美甲 美睫 纹眉 护肤 美容卡 发型"),
       _n("G1104", "洗浴及保健按摩", "洗浴 浴池 足疗 按摩 推拿 桑拿 汗蒸 养生馆 SPA"),
       _n("G1105", "家政服务", "家政 保姆 月嫂 育儿嫂 保洁 钟点工 家政公司 清洗油烟机"),
       _n("G1106", "家电及日用品维修", "维修店 修理铺 上门维修 维修师傅 开锁 管道疏通 维修人员 上门服务费"),
       _n("G1107", "洗染服务", "干洗 干洗店 洗衣店 洗染 洗坏 洗衣服务"),
       _n("G1108", "摄影及婚庆服务", "摄影 照相 婚纱照 婚庆 婚礼 写真 影楼"),
       _n("G1109", "汽车维修及保养", "汽修 汽车维修 修车 保养 钣金 喷漆 洗车 汽修厂 补胎"),
       _n("G1110", "养老服务", "养老 养老院 敬老院 护理院 老年公寓 护工"),
       _n("G1111", "宠物服务", "宠物 宠物店 宠物医院 猫 狗 猫粮 狗粮 寄养 宠物美容")),
    _n("G12", "互联网服务", "互联网 网络平台 网上 线上",
       _n("G1201", "网络购物", "网购 网上购物 网上购买 网店 淘宝 天猫 京东 拼多多 电商 电商平台 下单 订单 "
                               "商家 店铺 七天无理由 发货"),
       _n("G1202", "网络直播及短视频", "直播 直播间 主播 打赏 短视频 抖音 快手 带货 直播带货"),
       _n("G1203", "网络游戏", "游戏 网络游戏 手游 游戏账号 充值 装备 游戏币 封号 防沉迷 未成年人充值"),
       _n("G1204", "应用软件及会员服务", "APP 应用程序 软件 小程序 会员 视频会员 自动续费 续费 账号 登录 "
                                         "注销账号"),
       _n("G1205", "网络订餐及生活服务平台", "外卖平台 美团 饿了么 大众点评 团购 骑手 配送费")),
    _n("G13", "电信服务", "电信 移动 联通 广电 运营商 通信 营业厅 手机号 号码 手机卡 客服热线",
       _n("G1301", "移动通信服务", "话费 流量 套餐 手机号 号码 通话 短信 停机 信号 基站 漫游 5G 4G SIM卡 "
                                   "携号转网 销号 手机卡 副卡 彩信 通信"),
       _n("G1302", "固定电话及宽带", "宽带 网速 光猫 光纤 路由器 固话 座机 固定电话 专线 断网 装机 "
                                     "IPTV 网线 宽带账号"),
       _n("G1303", "增值电信服务", "增值业务 增值服务 彩铃 包月 订购 退订 手机报 短信业务 业务订购 SP 扣费"),
       _n("G1304", "有线电视服务", "有线电视 数字电视 广电网络 电视节目 收视费 点播")),
    _n("G14", "邮政快递服务", "邮政 快递 物流",
       _n("G1401", "快递服务", "快递 快递员 快递公司 快件 包裹 丢件 丢失 派送 签收 驿站 代收点 物流 顺丰 圆通 "
                               "中通 申通 韵达 极兔 运单"),
       _n("G1402", "邮政服务", "邮局 邮政 挂号信 邮寄 EMS 邮件 汇款")),
    _n("G15", "教育培训服务", "培训 教育 机构 课程 报名 学费 课时",
       _n("G1501", "职业技能培训及驾校", "职业培训 技能培训 考证 资格证 证书 驾校 学车 驾照 教练 科目二 科目三 "
                                         "学历提升"),
       _n("G1502", "中小学课外培训", "辅导班 补习班 补课 课外班 学科类 托管班 家教 作业辅导"),
       _n("G1503", "艺术及体育培训", "舞蹈 美术 书法 钢琴课 跆拳道 游泳课 篮球培训 艺术培训 口才"),
       _n("G1504", "在线教育", "网课 在线课程 网校 直播课 线上课程 在线教育 录播课"),
       _n("G1505", "早教及托育", "早教 托育 托班 幼儿园 感统")),
    _n("G16", "文化娱乐体育服务", "娱乐 文化 体育",
       _n("G1601", "健身服务", "健身 健身房 健身卡 私教 私教课 瑜伽 游泳馆 普拉提 健身中心"),
       _n("G1602", "影院及演出", "电影院 影院 电影票 演唱会 演出 剧场 话剧 门票"),
       _n("G1603", "娱乐场所", "KTV 网吧 游乐场 游乐园 剧本杀 密室 电玩城 歌厅 酒吧 台球"),
       _n("G1604", "体育场馆", "体育场 体育馆 球馆 羽毛球馆 篮球馆 滑雪场 滑冰场")),
    _n("G17", "金融服务", "金融",
       _n("G1701", "银行服务", "银行 信用卡 储蓄卡 银行卡 贷款 柜台 存款 利息 年费 网银 房贷"),
       _n("G1702", "证券基金理财", "理财 理财产品 基金 股票 证券 投资 收益 保本"),
       _n("G1703", "消费金融及网络借贷", "网贷 借款 借贷 消费贷 分期 花呗 白条 借呗 小额贷款 利率 逾期 "
                                         "催收 砍头息"),
       _n("G1704", "支付服务", "支付 第三方支付 扫码支付 微信支付 支付宝 POS机 收款码 转账")),
    _n("G18", "保险服务", "保险 保险公司 保单 投保 理赔 退保 保费",
       _n("G1801", "人身保险", "寿险 重疾险 医疗险 意外险 人身保险 健康险 养老保险 分红险 万能险"),
       _n("G1802", "财产保险", "车险 交强险 商业险 财产险 家财险 定损 出险 车损")),
    _n("G19", "房屋装修及物业服务", "房屋 装修 物业",
       _n("G1901", "家庭装修", "装修 装修公司 装饰公司 施工 工期 增项 水电改造 返工 防水 装修队 设计师 "
                               "整装 半包 全包"),
       _n("G1902", "物业服务", "物业 物业公司 物业费 小区 业主 保安 门禁 停车位 公共区域 维修基金"),
       _n("G1903", "房屋中介及租赁", "中介 房产中介 中介费 租房 房屋租赁 租赁 房东 长租公寓 二房东 押金 "
                                     "租金 看房")),
    _n("G20", "旅游服务", "旅游 旅行 游玩 出游",
       _n("G2001", "旅行社及跟团游", "旅行社 跟团 旅游团 导游 团费 行程 购物点 强制购物 自费项目 出境游"),
       _n("G2002", "景区服务", "景区 景点 门票 索道 游客 游乐项目 观光车"),
       _n("G2003", "在线旅游平台", "携程 飞猪 去哪儿 同程 马蜂窝 在线旅游 旅游平台 酒店预订")),
    _n("G21", "销售服务", "销售 营销 推销",
       _n("G2101", "商场超市", "商场 超市 便利店 卖场 购物中心 收银 收银员 购物卡 货架"),
       _n("G2102", "电视购物及电话营销", "电视购物 电话推销 电话营销 电话销售 推销电话 邮购"),
       _n("G2103", "直销及会议营销", "直销 会销 会议营销 健康讲座 免费体检 老年人 免费领 体验店"),
       _n("G2104", "二手商品及回收", "二手 二手商品 回收 闲鱼 转转 寄卖 典当")),
    _n("G22", "公用事业服务", "公用事业 公共服务",
       _n("G2201", "供水", "自来水 供水 水费 水表 停水 水压 水质 自来水公司"),
       _n("G2202", "供电", "电费 供电 电表 停电 供电公司 电力 用电"),
       _n("G2203", "供气及供暖", "燃气 天然气 燃气费 燃气公司 煤气 暖气 供暖 取暖费 集中供暖 热力公司 燃气表 "
                                 "液化气")),
    _n("G23", "交通运输服务", "交通 运输 出行",
       _n("G2301", "网约车及出租车", "网约车 出租车 打车 的士 滴滴 顺风车 绕路 司机 代驾"),
       _n("G2302", "客运及航空铁路", "航空公司 航班 机票 火车票 高铁 动车 长途汽车 客运 退票 改签 延误 托运 "
                                     "行李"),
       _n("G2303", "停车及租车", "停车场 停车费 租车 汽车租赁 共享单车 共享汽车 充电桩 收费站")),
    _n("G24", "医疗卫生服务", "医疗 卫生 健康",
       _n("G2401", "医疗机构诊疗", "医院 诊所 门诊 医生 治疗 手术 看病 体检 检查费 民营医院 挂号 住院"),
       _n("G2402", "医疗美容", "医美 医疗美容 整形 玻尿酸 双眼皮 隆鼻 吸脂 植发 注射 光子嫩肤 热玛吉 "
                               "美容医院"),
       _n("G2403", "口腔及眼科服务", "牙科 口腔 口腔诊所 种植牙 矫正 牙齿 洗牙 补牙 镶牙 近视手术 眼科 "
                                     "验光 配镜")),
    _n("G99", "其他商品和服务", "",
       _n("G9901", "其他商品", ""),
       _n("G9902", "其他服务", "")),
)

PROBLEM_TREE: tuple[Node, ...] = (
    _n("P01", "质量", "质量 质量问题",
       _n("P0101", "商品质量不合格或性能故障", "质量差 不合格 故障 坏了 损坏 破损 开裂 裂开 漏水 漏气 异响 噪音 "
                                               "失灵 不制冷 不制热 不加热 死机 黑屏 花屏 自动关机 掉漆 变形 生锈 "
                                               "起球 褪色 脱落 瑕疵 次品 性能 坏掉"),
       _n("P0102", "服务质量不达标", "服务质量 不达标 效果差 没有效果 没效果 服务不到位 偷工减料 未按标准 "
                                     "敷衍了事 缩水 服务内容 与约定不符"),
       _n("P0103", "通信网络质量差", "信号 信号差 信号弱 没信号 无信号 信号不好 网速 网速慢 网络差 网络不好 "
                                     "网络慢 上网慢 断网 掉线 上不了网 卡顿 覆盖 弱覆盖 基站 通话质量 杂音 "
                                     "断断续续 网络信号 4G 5G"),
       _n("P0104", "服务中断或无法正常使用", "无法使用 不能使用 用不了 无法正常使用 不能正常使用 无法登录 "
                                              "无法打开 打不开 中断 打不通 无法拨打 无法接听 不能通话 呼不出 "
                                              "接不到 收不到 发不出 无法接收 报修 报障 障碍 故障申告 "
                                              "未修复 无法上网 停用")),
    _n("P02", "安全", "安全 安全隐患",
       _n("P0201", "人身财产安全隐患", "爆炸 起火 着火 自燃 冒烟 漏电 触电 烫伤 受伤 划伤 夹伤 摔倒 摔伤 "
                                       "安全隐患 危险 伤害 烧毁"),
       _n("P0202", "食品安全", "变质 发霉 霉变 异物 虫子 头发 苍蝇 腹泻 拉肚子 呕吐 食物中毒 过期 过期食品 "
                               "超过保质期 酸臭 异味 不卫生 卫生差 添加剂"),
       _n("P0203", "健康损害", "过敏 不良反应 副作用 红肿 感染 后遗症 身体不适 毁容")),
    _n("P03", "价格", "价格 费用 收费 钱",
       _n("P0301", "乱收费或多收费", "乱收费 多收费 多收 多扣 多扣费 扣费 扣钱 被扣 乱扣费 额外收费 加收 "
                                     "收费不合理 高额 不明扣费 莫名扣费 重复扣费 重复收费 强制收费"),
       _n("P0302", "价格欺诈或未明码标价", "明码标价 标价 价签 价格欺诈 虚构原价 原价 先涨后降 价格不符 "
                                            "宰客 天价 结账 价格误导 标价不符"),
       _n("P0303", "计费或账单争议", "账单 计费 话费 资费 月租 套餐费 收费标准 费用异常 欠费 余额 话费清单 "
                                     "详单 流量费 通话费 超出 超套 计费错误 费用"),
       _n("P0304", "涨价或哄抬价格", "涨价 哄抬 调价 提价 价格上涨 坐地起价")),
    _n("P04", "计量", "计量",
       _n("P0401", "短斤少两", "短斤少两 缺斤短两 缺斤少两 分量不足 少称 缺秤 鬼秤 斤两 克重 重量不足 "
                               "净含量 分量"),
       _n("P0402", "计量器具不准", "电表不准 水表不准 燃气表 计量器具 加油机 计价器 跳字 走字 计量不准 "
                                   "表快 电子秤")),
    _n("P05", "合同", "合同 协议 约定",
       _n("P0501", "不履行或拖延履行合同", "不履行 违约 拖延 延期 延迟 逾期交房 不发货 迟迟不 未按合同 "
                                            "未按约定 拒不履行 毁约 单方面 拖欠 工期延误 至今未 丢件 丢失 "
                                            "延误 未送达 拒绝赔偿"),
       _n("P0502", "未经同意订购或强制交易", "未经同意 未经本人同意 未经允许 私自 擅自 强制 强行 搭售 捆绑 "
                                              "默认勾选 不知情 不知道 莫名其妙 被开通 被订购 开通 订购 定制 "
                                              "自动续费 强买强卖 没有办理 从未办理 没有订购 从未订购"),
       _n("P0503", "合同变更或解除争议", "解除合同 解约 违约金 定金 订金 转让 取消订单 变更合同 退订金 "
                                         "霸占 押金")),
    _n("P06", "售后服务", "售后 售后服务",
       _n("P0601", "退换货及三包", "退货 换货 退换 退换货 三包 七天无理由 无理由退货 保修 包换 不给退 "
                                   "拒绝退货 不予退货 不给换 质保"),
       _n("P0602", "维修服务问题", "维修 返修 修不好 维修费 多次维修 检修 送修 维修点 售后网点"),
       _n("P0603", "业务办理受阻", "办理 无法办理 不给办理 不予办理 办不了 销户 注销 过户 补卡 补办 "
                                   "携号转网 发票 开发票 开具发票 变更 迁移 移机 拆机 手续 申请 "
                                   "取消业务 改套餐 实名登记 预约"),
       _n("P0604", "服务态度及客服问题", "态度 态度差 态度恶劣 态度不好 推诿 推脱 敷衍 客服 工作人员 "
                                         "服务人员 营业员 不理睬 不回复 联系不上 不接电话 踢皮球 不耐烦 "
                                         "答复 解释 不满意 服务差 投诉 回访")),
    _n("P07", "虚假宣传", "宣传 广告",
       _n("P0701", "虚假或引人误解的宣传", "虚假宣传 夸大宣传 夸大 与宣传不符 宣传不符 虚假广告 误导 "
                                            "欺骗 隐瞒 诱导 名不副实 与描述不符 图文不符"),
       _n("P0702", "促销活动承诺不兑现", "活动 促销 优惠 优惠活动 赠送 赠品 返现 返还 返话费 礼品 满减 "
                                         "抽奖 中奖 积分 兑换 优惠券 红包 送话费 送流量 承诺 预存 "
                                         "活动规则 参加活动 办理活动 营销")),
    _n("P08", "假冒", "假冒",
       _n("P0801", "假冒伪劣", "假货 假冒 仿冒 冒牌 伪劣 山寨 以次充好 高仿 不是正品 非正品 正品 盗版 "
                               "翻新 以旧充新 掺假 掺杂 冒充"),
       _n("P0802", "三无产品", "三无 三无产品 无生产厂家 无厂名厂址 无合格证 无中文标签 无标签")),
    _n("P09", "人格尊严", "人格 尊严",
       _n("P0901", "侮辱殴打及搜身", "辱骂 侮辱 谩骂 骂人 殴打 打人 动手 搜身 威胁 恐吓 歧视 人格尊严"),
       _n("P0902", "暴力或骚扰式催收", "暴力催收 催收 催债 骚扰家人 联系家人 爆通讯录 上门催收")),
    _n("P10", "个人信息", "个人信息 信息安全 隐私",
       _n("P1001", "个人信息泄露或滥用", "泄露 信息泄露 个人信息 隐私 身份证信息 被冒用 冒名 冒用 盗用 "
                                         "非法获取 人脸信息 通讯录 买卖信息"),
       _n("P1002", "骚扰电话及垃圾短信", "骚扰电话 骚扰短信 垃圾短信 垃圾信息 广告短信 推销电话 营销短信 "
                                         "营销电话 骚扰 诈骗电话 诈骗短信 陌生来电 频繁来电 短信轰炸 "
                                         "不良信息"),
       _n("P1003", "账户或号码被盗用封停", "被盗 盗号 盗刷 封停 封号 关停 冻结 拦截 屏蔽 涉诈 反诈 "
                                           "被限制 限制使用 黑名单 被停机 安全验证")),
    _n("P11", "不公平格式条款", "格式条款",
       _n("P1101", "不公平格式条款", "格式条款 霸王条款 最终解释权 概不退换 不退不换 免责 免责条款 不公平 "
                                     "单方解释 小字 条款")),
    _n("P12", "预付卡及退费", "预付 退费",
       _n("P1201", "预付卡消费纠纷", "预付卡 预付式 储值卡 会员卡 充值卡 办卡 储值 余额 退卡 跑路 关门 "
                                     "倒闭 停业 闭店 卷款 人去楼空 转店 换老板"),
       _n("P1202", "退款退费纠纷", "退款 退费 不退 拒绝退款 不予退款 退钱 退还 押金不退 退款难 退费难 "
                                   "迟迟不退 扣除 手续费")),
    _n("P13", "其他", "",
       _n("P1301", "其他问题", "")),
)

AXES = {"goods": GOODS_TREE, "problem": PROBLEM_TREE}
SERVICES_FROM = "G11"  # G01–G10 are goods (商品), G11 and later services (服务)


@dataclass(frozen=True, slots=True)
class CategoryRow:
    code: str
    name: str
    parent_code: str | None
    axis: str
    keywords: tuple[str, ...]


def _flatten() -> tuple[CategoryRow, ...]:
    rows: list[CategoryRow] = []
    for axis, tree in AXES.items():
        for group in tree:
            rows.append(CategoryRow(group.code, group.name, None, axis, group.keywords))
            rows.extend(CategoryRow(leaf.code, leaf.name, group.code, axis, leaf.keywords) for leaf in group.children)
    return tuple(rows)


CATEGORIES: tuple[CategoryRow, ...] = _flatten()
CATEGORY_NAMES: dict[str, str] = {row.code: row.name for row in CATEGORIES}


def goods_or_service(code: str | None) -> str:
    """商品 or 服务 for a goods/service code ("" for others)."""
    if not code or not code.startswith("G") or code.startswith("G99"):
        return ""
    return "服务" if code[:3] >= SERVICES_FROM else "商品"


def load_categories(session: Session) -> int:
    """Insert or update the seeded category rows (idempotent); returns how many changed."""
    existing = {c.code: c for c in session.scalars(select(Category))}
    changed = 0
    for row in CATEGORIES:
        keywords = ",".join(row.keywords)
        current = existing.get(row.code)
        if current is None:
            session.add(Category(code=row.code, name=row.name, parent_code=row.parent_code, axis=row.axis,
                                 keywords=keywords))
            changed += 1
        elif (current.name, current.parent_code, current.axis, current.keywords) != \
                (row.name, row.parent_code, row.axis, keywords):
            current.name, current.parent_code, current.axis, current.keywords = \
                row.name, row.parent_code, row.axis, keywords
            changed += 1
    session.flush()
    return changed


# ============================================================================ demo complaints
#
# ``seed_complaints`` files every demo item through the real intake action (validation, routing,
# statutory clocks, duplicate links, audit, events) and moves it on through the real handling
# actions (accept, mediate, close, ODR reply, rating …). Those actions stamp *now*; the demo
# spreads its items over the last 18 months, so after each action the timestamps it just wrote
# are moved to the simulated time, and the deadlines that depend on them are recomputed with
# the same rule functions (``rules.clocks``/``rules.due``, the rule version of the simulated
# receipt date, the work calendar). Audit rows and domain events keep their real time: they
# record when the demo was generated. Nothing else is written directly.
# The demo code imports the actions and services inside its functions: ``actions`` may use
# ``classify``, which reads the category tree above, so a module-level import would be circular.

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
    from marketreg.kernel.clock import BUSINESS_TZ

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
    from marketreg.kernel.clock import BUSINESS_TZ

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
        from marketreg.domains.complaints import service
        from marketreg.platform.calendar import load_calendar

        self.rng = rng
        self.started = started
        self.cutoff = started - dt.timedelta(hours=1)
        self.calendar = load_calendar(session)
        self.overrides = service.rule_overrides(session)
        self.unit_names: dict[str, str] = {}

    def rules_for(self, received_on: dt.date):
        from marketreg.domains.complaints import rules

        return rules.ruleset_for(received_on, self.overrides)

    def fresh(self, value: dt.datetime | None) -> bool:
        if value is None:
            return False
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)) >= self.started

    def handler(self, session: Session, org_path: str):
        from marketreg.domains.org import service as org
        from marketreg.platform.authz import Actor

        if org_path not in self.unit_names:
            unit = org.unit_by_code(session, code=org_path.rstrip("/").rsplit("/", 1)[-1])
            self.unit_names[org_path] = unit.name if unit else "山东省12315指挥中心"
        name = self.unit_names[org_path]
        return Actor(None, "demo_handler", f"{name}12315办理员", None, org_path, name, kind="staff",
                     permissions=frozenset({"complaints.view", "complaints.handle", "complaints.intake"}))

    def workday_after(self, instant: dt.datetime, workdays: int) -> dt.datetime:
        from marketreg.kernel import clock

        day = clock.business_date(instant)
        if workdays > 0:
            day = self.calendar.add_workdays(day, workdays).due_on
        return max(self._office(day), instant + dt.timedelta(minutes=30))

    def days_after(self, instant: dt.datetime, days: int) -> dt.datetime:
        from marketreg.kernel import clock

        return max(self._office(clock.business_date(instant) + dt.timedelta(days=days)),
                   instant + dt.timedelta(minutes=30))

    def _office(self, day: dt.date) -> dt.datetime:
        from marketreg.kernel.clock import BUSINESS_TZ

        local = dt.datetime.combine(day, dt.time(self.rng.randint(8, 17), self.rng.randrange(60)), tzinfo=BUSINESS_TZ)
        return local.astimezone(dt.UTC)


def _next_due(item) -> dt.date | None:
    """The due date the work queue sorts by (mirrors ``actions._refresh_next_due``)."""
    return {"received": item.accept_due_on, "odr_pending": item.odr_due_on, "accepted": item.mediation_due_on,
            "mediating": item.mediation_due_on, "verifying": item.report_due_on}.get(item.status)


def _rebase_intake(session: Session, run: _Run, item, received_at: dt.datetime, odr_days: int | None) -> None:
    """Move a just-filed item to its simulated receipt instant and recompute its clocks."""
    from sqlalchemy import delete

    from marketreg.domains.complaints import rules, service
    from marketreg.domains.complaints.models import DuplicateLink
    from marketreg.kernel import clock

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
    from marketreg.domains.complaints import rules
    from marketreg.kernel import clock

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
    from marketreg.domains.complaints import rules
    from marketreg.kernel import clock

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
    from marketreg.domains.complaints import actions
    from marketreg.kernel import clock
    from marketreg.platform.authz import PUBLIC, Actor

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
                           kind="enterprise", entity_uscc=plan.entity.uscc)
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
    from decimal import Decimal

    from marketreg.domains.complaints import actions
    from marketreg.domains.complaints.classify import suggest
    from marketreg.domains.complaints.schemas import IntakeIn
    from marketreg.platform.authz import PUBLIC, SYSTEM

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
        found = [e for e in entities if e.region_code == "370102" and e.entity_type == "enterprise"
                 and e.section in sections]
        if found:
            return found[0]
    return None


def ensure_odr_units(session: Session, *, units: list[DemoEntity], joined_on: dt.date) -> list[str]:
    from marketreg.domains.complaints.models import OdrUnit

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
    from faker import Faker

    from marketreg.domains.complaints.models import Item, OdrUnit
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import service as registry
    from marketreg.kernel import clock
    from marketreg.kernel.errors import DomainError
    from marketreg.platform.authz import SYSTEM

    report = SeedReport()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    started = clock.now()
    with sessions.transaction() as session:
        load_categories(session)
        counties = {code: (name, city) for code, name, city, _ in reference.county_rows(session)}
        entities = [DemoEntity(e.uscc, e.name, e.region_code, e.address, e.industry_section, e.entity_type)
                    for e in registry.iter_entities(session, actor=SYSTEM,
                                                    filters=registry.EntityFilter(status="active"), limit=6000)]
        if not entities:
            raise DomainError("complaints.seed_needs_entities", "请先生成市场主体（marketreg seed --entities N）")
        enterprise = _choose_enterprise(entities)
        consumer = [e for e in entities if e.section in CONSUMER_SECTIONS and e.entity_type == "enterprise"]
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
