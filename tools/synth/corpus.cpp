#include "corpus.h"

#include <array>
#include <cstdio>
#include <string>
#include <vector>

namespace synth::corpus {
namespace {

using SV = std::string_view;

// ~1500 of the most frequent characters of modern written Chinese (simplified), in rough frequency
// order. Used for the occasional context-free run of characters.
constexpr SV kCommonChars =
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发"
    "后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但"
    "因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手"
    "应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教"
    "儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目"
    "太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却"
    "界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清"
    "今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢"
    "存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似"
    "官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引"
    "历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足"
    "态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米"
    "围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛"
    "状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食"
    "险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判"
    "担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯"
    "追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾"
    "弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋"
    "跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损"
    "忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词"
    "圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷"
    "篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳"
    "忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延"
    "震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋"
    "培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵硬麦蒋操耶阻订彩抽赞魔纷沿喊违妹浪汇币丰蓝殊献桌啦瓦莱援译夺"
    "汽烧距裁偏符勇触课敬哭懂墙袭召罚侠厅拜巧侧韩冒债曼融惯享戴童犹乘挂奖绍厚纵障讯涉彻刊丈爆乌役描洗"
    "玛患妙镜唱烦签仙彼弗症仿倾牌陷鸟轰咱菜闭奋庆撤泪茶疾缘播朗杜奶季丹狗尾仪偷奔珠虫驻孔宜艾桥淡翼恨"
    "繁寒伴叹旦愈潮粮缩罢聚径恰挑袋灰捕徐珍幕映裂泰隔启尖忠累炎暂估泛荒偿横拒瑞忆孤鼻闹羊呆厉衡胞零穷"
    "舍码赫婆魂灾洪腿胆津俗辩胸晓劲贫仁偶辑邦恢赖圈摸仰润堆碰艇稍迟辆废净凶署壁御奉旋冬矿抬蛋晨伏吹鸡"
    "倍糊秦盾杯租骑乏隆诊奴摄丧污渡旗甘耐凭扎抢绪粗肩梁幻菲皆碎宙叔岩荡综爬荷悉蒂返井壮薄悄扫敏碍殖详"
    "迪矛霍允幅撒剩凯颗骂赏液番箱贴漫酸郎腰舒眉忧浮辛恋餐吓挺励辞艘键伍峰尺昨黎辈贯侦滑券崇扰宪绕趋慈";

constexpr std::array<SV, 60> kChineseSentences = {
    "今天上午，公司召开了年度工作总结会议。",
    "请各部门负责人于本周五前提交工作计划。",
    "本次活动共有三百多名员工参加。",
    "我们将继续加强技术研发和产品创新。",
    "根据市场调查，用户对新产品的满意度较高。",
    "会议决定成立专门小组负责项目管理。",
    "为了提高服务质量，我们对系统进行了全面升级。",
    "北京的春天来得很快，公园里开满了花。",
    "如有问题，请及时与客服中心联系。",
    "这家银行在全国设有两千多个营业网点。",
    "学校图书馆每天早上八点开放。",
    "经过大家的共同努力，项目已经按时完成。",
    "新的办公地址位于市中心，交通十分方便。",
    "本产品适用于家庭和办公室等多种场所。",
    "请妥善保管您的账户信息和密码。",
    "今年第一季度的销售收入比去年同期有所增长。",
    "城市的发展离不开每一位市民的支持。",
    "他每天坐地铁上班，大约需要四十分钟。",
    "我们的目标是为客户提供更好的服务。",
    "这份报告详细介绍了项目的进展情况。",
    "天气预报说明天有小雨，出门记得带伞。",
    "公司将在下个月举办新产品发布会。",
    "所有数据均来自国家统计局公开资料。",
    "孩子们在操场上快乐地做游戏。",
    "参加培训的人员需要提前完成网上报名。",
    "该项目总投资约为五千万元。",
    "请在规定时间内完成付款，否则订单将自动取消。",
    "中国的高速铁路网络已经覆盖大部分城市。",
    "我们非常重视每一位用户的意见和建议。",
    "文化中心周末有免费的音乐会和展览。",
    "医院的门诊时间为每天上午八点至下午五点。",
    "这本书讲述了一个普通家庭的生活故事。",
    "上海是中国重要的经济和金融中心。",
    "工作人员会在三个工作日内处理您的申请。",
    "新系统上线后，工作效率明显提高。",
    "春节期间，超市的营业时间有所调整。",
    "公司始终坚持质量第一的原则。",
    "他们在湖边散步，看着太阳慢慢落下。",
    "本合同一式两份，双方各执一份。",
    "为保护环境，请不要随意丢弃垃圾。",
    "这次考试的成绩将在下周公布。",
    "目前该产品已经出口到三十多个国家和地区。",
    "欢迎大家多提宝贵意见！",
    "我们计划明年在南京和广州开设新的分公司。",
    "老师耐心地回答了学生提出的问题。",
    "各单位要认真做好安全检查工作，确保不发生事故。",
    "本店所有商品均支持七天无理由退换。",
    "随着经济的发展，人们的生活水平不断提高。",
    "员工每年可以享受十五天带薪年假。",
    "请勿在公共场所吸烟。",
    "这条路晚上车很少，骑车要注意安全。",
    "图书馆新到了一批科技类图书，欢迎借阅。",
    "合同签订后，乙方应在十日内支付首期款项。",
    "研究结果表明，适量运动有助于身体健康。",
    "市政府计划在城东新建一座体育中心。",
    "他把这个好消息告诉了家里的每一个人。",
    "网上办理业务更加方便快捷。",
    "小王是一名认真负责的软件工程师。",
    "由于天气原因，部分航班出现延误。",
    "活动现场还准备了丰富的奖品。",
};

// Sentences with fields: {key} is replaced by a generated value (see expand()).
constexpr std::array<SV, 24> kChineseTemplates = {
    "{year}年{month}月{day}日，{company}在{city}举行了新闻发布会。",
    "截至{date}，累计注册用户已超过{num}万人。",
    "本季度营业收入为{amount}万元，同比增长{percent}%。",
    "{name}的联系电话是{phone}。",
    "请于{date}前到{city}办事处领取相关材料。",
    "新版{eng}将于{date}正式上线。",
    "订单编号{order}已于{date}发货。",
    "本次共采购设备{num}台，总金额{amount}元。",
    "{company}成立于{year}年，总部位于{city}。",
    "会议时间为{date} {time}，地点在三楼会议室。",
    "使用{eng}可以大大提高工作效率。",
    "公司地址：{address}。",
    "如需帮助，请拨打客服电话{phone}。",
    "{name}同志自{year}年起担任{dept}负责人。",
    "本月共接待客户{num}人次，满意率达到{percent}%。",
    "本通知自{date}起执行。",
    "项目预算为{amount}元，其中设备费用占{percent}%。",
    "{city}今天的最高气温为{temp}度。",
    "请将文件以{eng}格式发送到{email}。",
    "第{num}届国际博览会将在{city}开幕。",
    "报名截止时间为{date} {time}。",
    "{dept}将于下周三组织消防安全培训。",
    "全年共完成营业收入{amount}万元。",
    "他在{city}工作了{small}年，非常熟悉当地情况。",
};

constexpr std::array<SV, 30> kEnglishSentences = {
    "The meeting will start at nine tomorrow morning.",
    "Please check the attached file for more details.",
    "Our team has completed the first stage of the project.",
    "Thank you for choosing our service.",
    "All prices include tax and free delivery.",
    "The new office is located near the central station.",
    "For more information, please visit our website.",
    "This report describes the results of the annual survey.",
    "The system will be updated on Sunday night.",
    "Please keep your receipt as proof of purchase.",
    "We are looking forward to working with you.",
    "The library is open from Monday to Friday.",
    "Sales in the first quarter were better than expected.",
    "Each student must submit the form before the deadline.",
    "The product is designed for home and office use.",
    "Please contact the help desk if you have any questions.",
    "Delivery usually takes three to five working days.",
    "The weather will be sunny with light wind.",
    "A new version of the app is now available.",
    "Visitors must register at the front desk.",
    "The training course includes both theory and practice.",
    "We have received your application and will reply soon.",
    "Please read the instructions carefully before use.",
    "The museum offers free guided tours every weekend.",
    "Our customer service team is available around the clock.",
    "The results show a clear improvement over last year.",
    "Remember to save your work before you leave.",
    "The bus stops in front of the city hall.",
    "Store the product in a cool and dry place.",
    "The conference room on the third floor is booked.",
};

constexpr std::array<SV, 12> kEnglishTemplates = {
    "Invoice {order} was issued on {date_en}.",
    "Order {order} has been shipped to {city_en}.",
    "The total amount due is {amount} USD.",
    "Our office in {city_en} opens at {time}.",
    "Please call {phone} to book an appointment.",
    "Sales grew by {percent}% compared with last year.",
    "The event will take place on {date_en} in {city_en}.",
    "Send your questions to {email}.",
    "Version {small}.{small} adds support for {eng}.",
    "More than {num} people attended the conference.",
    "The deadline for applications is {date_en}.",
    "Room {small}0{small} is reserved for the interview.",
};

constexpr std::array<SV, 24> kTitles = {
    "{year}年度工作总结报告",
    "关于加强安全管理工作的通知",
    "产品使用说明书",
    "项目进展情况汇报",
    "会议纪要",
    "员工培训计划",
    "市场调查分析报告",
    "关于调整办公时间的通知",
    "用户服务协议",
    "{city}分公司季度工作简报",
    "关于举办{year}年技能竞赛的通知",
    "新产品发布方案",
    "客户满意度调查报告",
    "办公设备采购申请",
    "年度财务预算说明",
    "信息系统升级公告",
    "Annual Report {year}",
    "Product Release Notes",
    "Meeting Minutes",
    "Quarterly Sales Summary",
    "Project Status Report",
    "Employee Handbook",
    "{company}简介",
    "关于{dept}人员调整的通知",
};

constexpr std::array<SV, 10> kChineseNumerals = {"一", "二", "三", "四", "五",
                                                 "六", "七", "八", "九", "十"};

constexpr std::array<SV, 20> kChineseHeadings = {
    "项目概述", "主要工作", "存在问题", "下一步计划", "工作目标", "实施步骤", "注意事项",
    "联系方式", "基本情况", "工作安排", "经费预算", "组织保障", "具体要求", "时间安排",
    "总体思路", "主要成绩", "市场分析", "产品介绍", "服务内容", "其他事项",
};

constexpr std::array<SV, 14> kEnglishHeadings = {
    "Overview", "Background", "Results",     "Next Steps",  "Summary",  "Key Findings",
    "Budget",   "Timeline",   "Contact Us",  "Introduction", "Methods", "Requirements",
    "Schedule", "Conclusion",
};

struct PinyinChar {
  SV hanzi;
  SV pinyin;
};

constexpr std::array<PinyinChar, 60> kSurnames = {{
    {"王", "WANG"},  {"李", "LI"},    {"张", "ZHANG"}, {"刘", "LIU"},   {"陈", "CHEN"},
    {"杨", "YANG"},  {"黄", "HUANG"}, {"赵", "ZHAO"},  {"吴", "WU"},    {"周", "ZHOU"},
    {"徐", "XU"},    {"孙", "SUN"},   {"马", "MA"},    {"朱", "ZHU"},   {"胡", "HU"},
    {"郭", "GUO"},   {"何", "HE"},    {"高", "GAO"},   {"林", "LIN"},   {"罗", "LUO"},
    {"郑", "ZHENG"}, {"梁", "LIANG"}, {"谢", "XIE"},   {"宋", "SONG"},  {"唐", "TANG"},
    {"许", "XU"},    {"韩", "HAN"},   {"冯", "FENG"},  {"邓", "DENG"},  {"曹", "CAO"},
    {"彭", "PENG"},  {"曾", "ZENG"},  {"田", "TIAN"},  {"董", "DONG"},  {"潘", "PAN"},
    {"蒋", "JIANG"}, {"蔡", "CAI"},   {"余", "YU"},    {"杜", "DU"},    {"叶", "YE"},
    {"程", "CHENG"}, {"苏", "SU"},    {"魏", "WEI"},   {"丁", "DING"},  {"沈", "SHEN"},
    {"姚", "YAO"},   {"卢", "LU"},    {"钟", "ZHONG"}, {"陆", "LU"},    {"范", "FAN"},
    {"金", "JIN"},   {"石", "SHI"},   {"夏", "XIA"},   {"方", "FANG"},  {"白", "BAI"},
    {"孟", "MENG"},  {"秦", "QIN"},   {"江", "JIANG"}, {"顾", "GU"},    {"孔", "KONG"},
}};

constexpr std::array<PinyinChar, 56> kGivenChars = {{
    {"伟", "WEI"},   {"芳", "FANG"}, {"娜", "NA"},    {"敏", "MIN"},   {"静", "JING"},
    {"丽", "LI"},    {"强", "QIANG"}, {"磊", "LEI"},  {"军", "JUN"},   {"洋", "YANG"},
    {"勇", "YONG"},  {"艳", "YAN"},  {"杰", "JIE"},   {"娟", "JUAN"},  {"涛", "TAO"},
    {"明", "MING"},  {"超", "CHAO"}, {"秀", "XIU"},   {"霞", "XIA"},   {"平", "PING"},
    {"刚", "GANG"},  {"英", "YING"}, {"华", "HUA"},   {"玉", "YU"},    {"兰", "LAN"},
    {"文", "WEN"},   {"建", "JIAN"}, {"国", "GUO"},   {"志", "ZHI"},   {"海", "HAI"},
    {"晓", "XIAO"},  {"宇", "YU"},   {"欣", "XIN"},   {"佳", "JIA"},   {"子", "ZI"},
    {"思", "SI"},    {"雨", "YU"},   {"浩", "HAO"},   {"博", "BO"},    {"晨", "CHEN"},
    {"琳", "LIN"},   {"婷", "TING"}, {"俊", "JUN"},   {"鹏", "PENG"},  {"辉", "HUI"},
    {"红", "HONG"},  {"梅", "MEI"},  {"雪", "XUE"},   {"云", "YUN"},   {"飞", "FEI"},
    {"峰", "FENG"},  {"波", "BO"},   {"斌", "BIN"},   {"宁", "NING"},  {"亮", "LIANG"},
    {"丹", "DAN"},
}};

struct City {
  SV chinese;
  SV english;
};

constexpr std::array<City, 22> kCities = {{
    {"北京", "Beijing"},   {"上海", "Shanghai"},  {"广州", "Guangzhou"}, {"深圳", "Shenzhen"},
    {"杭州", "Hangzhou"},  {"南京", "Nanjing"},   {"成都", "Chengdu"},   {"武汉", "Wuhan"},
    {"西安", "Xi'an"},     {"重庆", "Chongqing"}, {"天津", "Tianjin"},   {"苏州", "Suzhou"},
    {"长沙", "Changsha"},  {"青岛", "Qingdao"},   {"厦门", "Xiamen"},    {"大连", "Dalian"},
    {"郑州", "Zhengzhou"}, {"济南", "Jinan"},     {"合肥", "Hefei"},     {"福州", "Fuzhou"},
    {"昆明", "Kunming"},   {"沈阳", "Shenyang"},
}};

constexpr std::array<SV, 16> kDistricts = {
    "朝阳区", "海淀区", "东城区", "西城区", "浦东新区", "徐汇区", "天河区", "南山区",
    "福田区", "西湖区", "鼓楼区", "武侯区", "江汉区",   "雁塔区", "高新区", "开发区",
};

constexpr std::array<SV, 20> kStreets = {
    "建国路", "人民路", "中山路", "解放路", "长安街", "南京路", "和平路",
    "新华路", "胜利路", "文化路", "学院路", "科技路", "花园路", "友谊路",
    "青年路", "黄河路", "长江路", "湖滨路", "光明路", "幸福大街",
};

constexpr std::array<SV, 20> kCompanyWords = {
    "华信", "东方", "恒通", "新宇", "天成", "联合", "远大", "中科", "博雅", "宏达",
    "金石", "瑞丰", "星辰", "云海", "创新", "智达", "嘉和", "长城", "明光", "永安",
};

constexpr std::array<SV, 12> kCompanyTypes = {
    "科技", "贸易", "电子", "信息技术", "文化传媒", "建筑工程",
    "食品", "物流", "咨询", "网络",     "医疗器械", "教育",
};

constexpr std::array<SV, 14> kDepartments = {
    "办公室", "财务部", "人事部", "技术部",   "市场部",   "销售部",   "行政部",
    "研发中心", "客服中心", "采购部", "质量管理部", "信息中心", "法务部", "运营部",
};

constexpr std::array<SV, 10> kEnglishDepartments = {
    "Finance", "Sales", "Human Resources", "IT Support", "Marketing",
    "Research", "Logistics", "Customer Service", "Legal", "Operations",
};

constexpr std::array<SV, 20> kEnglishTerms = {
    "App", "AI",    "Wi-Fi", "PDF",    "USB",   "Email", "API",  "CPU",  "GPS", "5G",
    "VIP", "Excel", "Word",  "Office", "Linux", "Python", "Java", "Web", "CEO", "LED",
};

constexpr std::array<SV, 10> kMailUsers = {"service", "info",  "support", "hr",    "sales",
                                           "admin",   "office", "contact", "zhang", "li.ming"};

constexpr std::array<SV, 8> kMailDomains = {"example.com", "mail.cn",  "company.com.cn", "abc.cn",
                                            "service.net", "demo.org", "qq.com",         "163.com"};

constexpr std::array<Item, 56> kItems = {{
    {"矿泉水550ml", 1.5, 3},  {"纯牛奶", 3, 6},        {"全麦面包", 6, 15},    {"鸡蛋10枚", 9, 16},
    {"红富士苹果", 6, 20},    {"香蕉", 3, 9},          {"东北大米5kg", 25, 60}, {"花生油", 30, 80},
    {"酱油", 6, 15},          {"白糖", 5, 12},         {"洗衣液", 15, 45},     {"卫生纸", 12, 40},
    {"牙膏", 8, 25},          {"毛巾", 10, 30},        {"薯片", 5, 12},        {"巧克力", 8, 30},
    {"绿茶", 3, 6},           {"橙汁", 5, 15},         {"咖啡", 12, 35},       {"饼干", 5, 18},
    {"方便面", 3, 6},         {"火腿肠", 5, 15},       {"猪肉", 15, 40},       {"牛肉", 40, 90},
    {"鸡翅", 20, 45},         {"西红柿", 3, 9},        {"黄瓜", 2, 7},         {"土豆", 2, 6},
    {"大白菜", 2, 6},         {"豆腐", 2, 6},          {"米饭", 1, 3},         {"宫保鸡丁", 18, 38},
    {"鱼香肉丝", 18, 36},     {"麻婆豆腐", 12, 28},    {"可乐", 3, 6},         {"啤酒", 4, 12},
    {"冰淇淋", 5, 15},        {"口香糖", 5, 12},       {"洗发水", 25, 70},     {"纸巾", 5, 15},
    {"电池", 10, 30},         {"雨伞", 25, 60},        {"笔记本", 5, 20},      {"签字笔", 2, 8},
    {"文件夹", 3, 10},        {"酸奶", 4, 12},         {"青菜", 2, 6},         {"葡萄", 10, 30},
    {"西瓜", 10, 35},         {"面条", 3, 8},          {"饺子", 15, 35},       {"小笼包", 10, 25},
    {"豆浆", 2, 5},           {"油条", 1.5, 4},        {"红烧牛肉面", 18, 32}, {"奶茶", 10, 22},
}};

constexpr std::array<SV, 12> kShopBrands = {"华联", "美佳", "新世纪", "天天", "百佳", "联华",
                                            "万家", "好又多", "金源", "佳乐", "惠民", "鑫源"};

constexpr std::array<SV, 9> kShopTypes = {"超市",   "便利店", "餐厅", "面馆", "药房",
                                          "生活超市", "购物中心", "快餐", "水果店"};

constexpr std::array<SV, 6> kPayments = {"微信支付", "支付宝", "现金", "银行卡", "会员卡", "云闪付"};

constexpr std::array<SV, 8> kReceiptFooters = {
    "谢谢惠顾，欢迎再次光临！", "请保留小票作为售后凭证", "Thank you!",
    "商品如有质量问题请于七日内凭小票退换", "会员积分已累计", "祝您生活愉快",
    "Welcome back again", "发票请在当月开具",
};

constexpr std::array<SV, 20> kAppTitles = {
    "消息中心", "设置",       "订单管理",        "我的账户",   "Dashboard",
    "文件管理", "Settings",   "数据统计",        "Inbox",      "客户管理系统",
    "Calendar", "通讯录",     "Order History",   "财务报表",   "Project Board",
    "系统通知", "用户中心",   "Account Details", "库存管理",   "Support Tickets",
};

constexpr std::array<SV, 24> kButtons = {
    "确定", "取消", "保存", "提交", "删除", "下一步", "返回", "登录",
    "注册", "Save", "Cancel", "Submit", "OK", "Delete", "Next", "Sign in",
    "导出数据", "新建订单", "立即购买", "Export", "Upload", "查看详情", "Apply", "刷新",
};

constexpr std::array<SV, 16> kMenuItems = {
    "首页", "消息", "联系人", "日历", "文件", "设置", "Home", "Inbox",
    "Settings", "Help", "统计分析", "订单", "Reports", "团队", "Profile", "帮助中心",
};

constexpr std::array<SV, 12> kTabs = {"全部", "未读", "已完成", "进行中", "All", "Unread",
                                      "Pending", "Done", "今天", "本周", "Archived", "待处理"};

constexpr std::array<SV, 28> kListRows = {
    "{name}给你发送了一条消息",     "订单{order}已发货",
    "系统将于今晚{time}进行维护",   "Weekly report is ready",
    "Meeting with design team",      "New login from Chrome on Windows",
    "Your password was changed",     "发票已开具，请注意查收",
    "{name}邀请你加入项目组",       "Backup completed successfully",
    "本月账单已生成",               "Invoice {order} is overdue",
    "{company}",                     "会议室预订成功",
    "Quarterly review with {name_en}", "快递已到达{city}转运中心",
    "Payment received from {name_en}", "您的积分即将过期",
    "Server {small}{small} is back online", "新版本{small}.{small}.{small}可以更新了",
    "{dept}例会提醒",               "Flight to {city_en} is delayed",
    "Storage almost full",           "退款申请已通过审核",
    "{name}评论了你的文档",         "Task assigned to {name_en}",
    "明天上午{time}有一个视频会议", "Subscription renews on {date_en}",
};

constexpr std::array<SV, 10> kStatuses = {"已完成", "处理中", "待付款", "已取消", "已发货",
                                          "Done",   "Pending", "Failed", "Paid",  "Open"};

constexpr std::array<CardType, 7> kCardTypes = {{
    {"会员卡", "MEMBERSHIP CARD"},
    {"员工工作证", "EMPLOYEE ID CARD"},
    {"居住登记卡", "RESIDENCE CARD"},
    {"学生证", "STUDENT CARD"},
    {"图书借阅证", "LIBRARY CARD"},
    {"访客证", "VISITOR PASS"},
    {"健身会员证", "FITNESS CLUB CARD"},
}};

// Literal pieces the generators below glue in; listed so the dictionary test sees them.
constexpr std::array<SV, 40> kGlue = {
    "，", "。", "！", "：", "、", "；", "（", "）", "%", "-", ".", "/", ":", "@", "￥", "号",
    "楼", "室", "座", "市", "有限公司", "年", "月", "日", "元", "万", "Tel", "No.", "店",
    "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789", " ", ",", "Phone",
    "Date", "Email", "Address", "Dept", "Amount",
};

constexpr std::array<SV, 8> kChineseKeys = {"电话", "日期", "地址", "邮箱",
                                            "编号", "金额", "部门", "联系人"};

template <class T, std::size_t N>
const T& pick(Rng& rng, const std::array<T, N>& items) {
  return rng.pick(std::span<const T>(items));
}

std::string two_digits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string digits(Rng& rng, int count) {
  std::string s;
  for (int i = 0; i < count; ++i) s += static_cast<char>('0' + rng.range(0, 9));
  return s;
}

std::string expand(Rng& rng, SV templ);

std::string field(Rng& rng, SV key) {
  if (key == "year") return std::to_string(rng.range(2018, 2032));
  if (key == "month") return std::to_string(rng.range(1, 12));
  if (key == "day") return std::to_string(rng.range(1, 28));
  if (key == "date") return date(rng, rng.range(0, 3));
  if (key == "date_en") {  // numeric styles only: no 年月日 inside English text
    constexpr std::array<int, 3> kStyles = {0, 1, 3};
    return date(rng, kStyles[static_cast<std::size_t>(rng.range(0, 2))]);
  }
  if (key == "time") return clock(rng, false);
  if (key == "num") return std::to_string(rng.range(2, 980));
  if (key == "small") return std::to_string(rng.range(1, 9));
  if (key == "amount") {
    const double base = rng.range(100, 999999) / 100.0;
    return money(base * rng.range(1, 20));
  }
  if (key == "percent") return std::to_string(rng.range(3, 95));
  if (key == "temp") return std::to_string(rng.range(-5, 38));
  if (key == "city") return std::string(pick(rng, kCities).chinese);
  if (key == "city_en") return std::string(pick(rng, kCities).english);
  if (key == "company") return company(rng);
  if (key == "name") return person(rng).hanzi;
  if (key == "name_en") {
    // "ZHANG WEI" -> "Zhang Wei"
    std::string s = person(rng).pinyin;
    for (std::size_t i = 1; i < s.size(); ++i)
      if (s[i - 1] != ' ' && s[i] >= 'A' && s[i] <= 'Z') s[i] = static_cast<char>(s[i] - 'A' + 'a');
    return s;
  }
  if (key == "phone") return phone(rng);
  if (key == "order") return order_code(rng);
  if (key == "address") return address(rng);
  if (key == "dept") return std::string(pick(rng, kDepartments));
  if (key == "eng") return std::string(pick(rng, kEnglishTerms));
  if (key == "email") return email(rng);
  return std::string(key);
}

std::string expand(Rng& rng, SV templ) {
  std::string out;
  std::size_t pos = 0;
  while (pos < templ.size()) {
    const std::size_t open = templ.find('{', pos);
    if (open == SV::npos) {
      out += templ.substr(pos);
      break;
    }
    const std::size_t close = templ.find('}', open);
    out += templ.substr(pos, open - pos);
    out += field(rng, templ.substr(open + 1, close - open - 1));
    pos = close + 1;
  }
  return out;
}

template <std::size_t N>
void append_all(std::string& out, const std::array<SV, N>& items) {
  for (SV s : items) out += s;
}

}  // namespace

std::string all_table_text() {
  std::string out(kCommonChars);
  append_all(out, kChineseSentences);
  append_all(out, kChineseTemplates);
  append_all(out, kEnglishSentences);
  append_all(out, kEnglishTemplates);
  append_all(out, kTitles);
  append_all(out, kChineseNumerals);
  append_all(out, kChineseHeadings);
  append_all(out, kEnglishHeadings);
  for (const auto& p : kSurnames) out.append(p.hanzi).append(p.pinyin);
  for (const auto& p : kGivenChars) out.append(p.hanzi).append(p.pinyin);
  for (const auto& c : kCities) out.append(c.chinese).append(c.english);
  append_all(out, kDistricts);
  append_all(out, kStreets);
  append_all(out, kCompanyWords);
  append_all(out, kCompanyTypes);
  append_all(out, kDepartments);
  append_all(out, kEnglishDepartments);
  append_all(out, kEnglishTerms);
  append_all(out, kMailUsers);
  append_all(out, kMailDomains);
  for (const auto& item : kItems) out += item.name;
  append_all(out, kShopBrands);
  append_all(out, kShopTypes);
  append_all(out, kPayments);
  append_all(out, kReceiptFooters);
  append_all(out, kAppTitles);
  append_all(out, kButtons);
  append_all(out, kMenuItems);
  append_all(out, kTabs);
  append_all(out, kListRows);
  append_all(out, kStatuses);
  for (const auto& c : kCardTypes) out.append(c.chinese).append(c.english);
  append_all(out, kGlue);
  append_all(out, kChineseKeys);
  // Templates keep their {key} placeholders; braces are not drawn, drop them from the check.
  std::string clean;
  for (char c : out)
    if (c != '{' && c != '}') clean += c;
  return clean;
}

std::string chinese_sentence(Rng& rng) {
  if (rng.chance(0.35)) return expand(rng, pick(rng, kChineseTemplates));
  return std::string(pick(rng, kChineseSentences));
}

std::string english_sentence(Rng& rng) {
  if (rng.chance(0.3)) return expand(rng, pick(rng, kEnglishTemplates));
  return std::string(pick(rng, kEnglishSentences));
}

std::string paragraph(Rng& rng, bool chinese, int sentences) {
  std::string out;
  for (int i = 0; i < sentences; ++i) {
    if (chinese) {
      out += chinese_sentence(rng);
    } else {
      if (i > 0) out += ' ';
      out += english_sentence(rng);
    }
  }
  return out;
}

std::string common_char_run(Rng& rng, int length) {
  // Every character of kCommonChars is 3 bytes in UTF-8 (all in U+4E00..U+9FFF).
  const int count = static_cast<int>(kCommonChars.size() / 3);
  std::string out;
  for (int i = 0; i < length; ++i)
    out += kCommonChars.substr(static_cast<std::size_t>(rng.range(0, count - 1)) * 3, 3);
  return out;
}

std::string title(Rng& rng) { return expand(rng, pick(rng, kTitles)); }

std::string heading(Rng& rng, int number, bool chinese) {
  if (chinese) {
    const auto idx = static_cast<std::size_t>((number - 1) % 10);
    return std::string(kChineseNumerals[idx]) + "、" + std::string(pick(rng, kChineseHeadings));
  }
  return std::to_string(number) + ". " + std::string(pick(rng, kEnglishHeadings));
}

Name person(Rng& rng) {
  const PinyinChar& s = pick(rng, kSurnames);
  Name n{std::string(s.hanzi), std::string(s.pinyin) + " "};
  const int given = rng.chance(0.6) ? 2 : 1;
  for (int i = 0; i < given; ++i) {
    const PinyinChar& g = pick(rng, kGivenChars);
    n.hanzi += g.hanzi;
    n.pinyin += g.pinyin;
  }
  return n;
}

std::string date(Rng& rng, int style) {
  const int y = rng.range(2018, 2035);
  const int m = rng.range(1, 12);
  const int d = rng.range(1, 28);
  switch (style) {
    case 1: return std::to_string(y) + "." + two_digits(m) + "." + two_digits(d);
    case 2: return std::to_string(y) + "年" + std::to_string(m) + "月" + std::to_string(d) + "日";
    case 3: return std::to_string(y) + "/" + two_digits(m) + "/" + two_digits(d);
    default: return std::to_string(y) + "-" + two_digits(m) + "-" + two_digits(d);
  }
}

std::string clock(Rng& rng, bool seconds) {
  // One draw per statement: operands of + are unsequenced, so the order would be compiler-defined.
  std::string s = two_digits(rng.range(0, 23));
  s += ':';
  s += two_digits(rng.range(0, 59));
  if (seconds) {
    s += ':';
    s += two_digits(rng.range(0, 59));
  }
  return s;
}

std::string money(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

std::string phone(Rng& rng) {
  std::string s;
  if (rng.chance(0.5)) {  // mobile: 1[3-9]xxxxxxxxx
    s.push_back('1');
    s.push_back(static_cast<char>('0' + rng.range(3, 9)));
    s += digits(rng, 9);
    return s;
  }
  constexpr std::array<SV, 6> kAreas = {"010", "021", "020", "0755", "0571", "025"};
  s = pick(rng, kAreas);
  s.push_back('-');
  s.push_back(static_cast<char>('0' + rng.range(2, 8)));
  s += digits(rng, 7);
  return s;
}

std::string address(Rng& rng) {
  std::string s = std::string(pick(rng, kCities).chinese) + "市";
  s += pick(rng, kDistricts);
  s += pick(rng, kStreets);
  s += std::to_string(rng.range(1, 399)) + "号";
  if (rng.chance(0.4)) s += std::to_string(rng.range(2, 28)) + "楼";
  return s;
}

std::string company(Rng& rng) {
  std::string s(pick(rng, kCities).chinese);
  s += pick(rng, kCompanyWords);
  s += pick(rng, kCompanyTypes);
  return s + "有限公司";
}

std::string id_code(Rng& rng) {
  constexpr SV kLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";  // no I/O: they read as 1/0
  const std::string letter(1, kLetters[static_cast<std::size_t>(rng.range(0, 23))]);
  return letter + digits(rng, 8);
}

std::string order_code(Rng& rng) {
  std::string s = std::to_string(rng.range(2019, 2034));
  s += two_digits(rng.range(1, 12));
  s += two_digits(rng.range(1, 28)) + "-";
  return s + digits(rng, 4);
}

std::string email(Rng& rng) {
  const std::string user(pick(rng, kMailUsers));
  return user + "@" + std::string(pick(rng, kMailDomains));
}

std::string key_value(Rng& rng, bool chinese) {
  const int which = rng.range(0, 5);
  if (!chinese) {
    switch (which) {
      case 0: return "Phone: " + phone(rng);
      case 1: return "Date: " + date(rng, 0);
      case 2: return "Email: " + email(rng);
      case 3: return "No. " + id_code(rng);
      case 4: return "Amount: " + money(rng.range(100, 999999) / 100.0);
      default: return "Dept: " + std::string(pick(rng, kEnglishDepartments));
    }
  }
  switch (which) {
    case 0: return "电话：" + phone(rng);
    case 1: return "日期：" + date(rng, rng.range(0, 3));
    case 2: return "地址：" + address(rng);
    case 3: return "编号：" + id_code(rng);
    case 4: return "金额：￥" + money(rng.range(100, 999999) / 100.0);
    default: return "部门：" + std::string(pick(rng, kDepartments));
  }
}

std::string short_line(Rng& rng) {
  const int which = rng.range(0, 9);
  switch (which) {
    case 0:
    case 1:
    case 2: return chinese_sentence(rng);
    case 3: return english_sentence(rng);
    case 4: return key_value(rng, rng.chance(0.7));
    case 5: return company(rng);
    case 6: return address(rng);
    case 7: return title(rng);
    case 8: {
      const std::string name(pick(rng, kItems).name);
      return name + "￥" + money(rng.range(100, 99900) / 100.0);
    }
    default: return common_char_run(rng, rng.range(4, 10));
  }
}

std::span<const Item> receipt_items() { return kItems; }

std::string shop_name(Rng& rng) {
  std::string s(pick(rng, kShopBrands));
  s += pick(rng, kShopTypes);
  if (rng.chance(0.6)) s += "（" + std::string(pick(rng, kStreets)) + "店）";
  return s;
}

std::span<const std::string_view> payment_methods() { return kPayments; }
std::span<const std::string_view> receipt_footers() { return kReceiptFooters; }
std::span<const std::string_view> app_titles() { return kAppTitles; }
std::span<const std::string_view> button_labels() { return kButtons; }
std::span<const std::string_view> menu_items() { return kMenuItems; }
std::span<const std::string_view> tab_labels() { return kTabs; }

std::string list_row(Rng& rng) { return expand(rng, pick(rng, kListRows)); }

std::string row_detail(Rng& rng) {
  switch (rng.range(0, 4)) {
    case 0: return clock(rng, false);
    case 1: return date(rng, 0);
    case 2: return "￥" + money(rng.range(100, 500000) / 100.0);
    case 3: return std::string(pick(rng, kStatuses));
    default: {
      const std::string month = two_digits(rng.range(1, 12));
      return month + "-" + two_digits(rng.range(1, 28));
    }
  }
}

std::span<const CardType> card_types() { return kCardTypes; }
std::span<const std::string_view> departments() { return kDepartments; }

}  // namespace synth::corpus
