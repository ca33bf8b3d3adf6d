<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccessibleNames</name>
    <message>
        <source>Starts the identity check.</source>
        <translation>开始身份核验。</translation>
    </message>
    <message>
        <source>Agrees to the privacy notice and goes on to the photos.</source>
        <translation>同意隐私说明并开始拍照。</translation>
    </message>
    <message>
        <source>Stops here. Nothing is kept.</source>
        <translation>在此停止，不保留任何信息。</translation>
    </message>
    <message>
        <source>Takes the photo of your ID card now.</source>
        <translation>立即拍摄您的身份证。</translation>
    </message>
    <message>
        <source>Takes the photo of your face now.</source>
        <translation>立即拍摄您的人脸照片。</translation>
    </message>
    <message>
        <source>Ends the session and erases your data.</source>
        <translation>结束本次操作并清除您的信息。</translation>
    </message>
    <message>
        <source>Sends the same photos to the check again.</source>
        <translation>用同样的照片再核验一次。</translation>
    </message>
    <message>
        <source>For staff: closes this message with the staff PIN.</source>
        <translation>工作人员专用：输入工作人员密码关闭此提示。</translation>
    </message>
    <message>
        <source>Keeps your session open.</source>
        <translation>继续本次操作。</translation>
    </message>
    <message>
        <source>Switches the language to %1.</source>
        <translation>将语言切换为%1。</translation>
    </message>
    <message>
        <source>Calls a member of staff to help you.</source>
        <translation>呼叫工作人员为您提供帮助。</translation>
    </message>
    <message>
        <source>Says the instructions again.</source>
        <translation>再播放一遍语音提示。</translation>
    </message>
    <message>
        <source>Larger text and stronger contrast for this session.</source>
        <translation>本次操作使用更大的字体和更高的对比度。</translation>
    </message>
    <message>
        <source>Leaves the staff PIN page.</source>
        <translation>离开工作人员密码页面。</translation>
    </message>
    <message>
        <source>Chooses the camera.</source>
        <translation>选择摄像头。</translation>
    </message>
    <message>
        <source>Sends a test request to the verification service.</source>
        <translation>向核验服务发送测试请求。</translation>
    </message>
    <message>
        <source>Returns to the customer screens.</source>
        <translation>返回客户界面。</translation>
    </message>
    <message>
        <source>Asks to confirm, then closes the kiosk program.</source>
        <translation>先请您确认，然后关闭本机程序。</translation>
    </message>
    <message>
        <source>Marks the open staff calls as answered.</source>
        <translation>将待处理的呼叫标记为已处理。</translation>
    </message>
    <message>
        <source>Closes the kiosk program now.</source>
        <translation>立即关闭本机程序。</translation>
    </message>
    <message>
        <source>Keeps the kiosk running.</source>
        <translation>本机继续运行。</translation>
    </message>
    <message>
        <source>The open staff calls, newest first.</source>
        <translation>待处理的呼叫，最新的在前。</translation>
    </message>
    <message>
        <source>The latest outcome codes, newest first.</source>
        <translation>最近的结果代码，最新的在前。</translation>
    </message>
    <message>
        <source>Deletes the last digit.</source>
        <translation>删除最后一位数字。</translation>
    </message>
    <message>
        <source>Submits the PIN.</source>
        <translation>提交密码。</translation>
    </message>
    <message>
        <source>Enters the digit %1.</source>
        <translation>输入数字 %1。</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Recent outcomes</source>
        <translation>最近结果</translation>
    </message>
    <message>
        <source>Open staff calls</source>
        <translation>待处理的呼叫</translation>
    </message>
    <message>
        <source>Instruction</source>
        <translation>操作提示</translation>
    </message>
    <message>
        <source>Result symbol</source>
        <translation>结果图标</translation>
    </message>
    <message>
        <source>Your name and ID number, partly hidden</source>
        <translation>您的姓名和身份证号码（部分隐藏）</translation>
    </message>
</context>
<context>
    <name>CapturePage</name>
    <message>
        <source>Hold the photo side of your ID card inside the frame</source>
        <extracomment>how long &quot;Captured&quot; and the frozen frame stay on screen before the next step</extracomment>
        <translation>请将身份证人像面放入框内</translation>
    </message>
    <message>
        <source>Take the card photo now</source>
        <translation>立即拍摄证件</translation>
    </message>
    <message>
        <source>Look at the camera and keep your face inside the oval</source>
        <translation>请看摄像头，将脸放在椭圆框内</translation>
    </message>
    <message>
        <source>Take my photo now</source>
        <translation>立即拍照</translation>
    </message>
    <message>
        <source>Let&apos;s try again.</source>
        <translation>请再试一次。</translation>
    </message>
    <message>
        <source>Try %1 of %2</source>
        <translation>第 %1 次，共 %2 次</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <source>Before we start</source>
        <translation>开始之前</translation>
    </message>
    <message>
        <source>The kiosk takes a photo of your ID card and a photo of your face.</source>
        <translation>本机将拍摄您的身份证照片和您的人脸照片。</translation>
    </message>
    <message>
        <source>They are sent over an encrypted connection to the identity verification service (Tencent Cloud FaceID) and compared with the photo on record.</source>
        <translation>照片通过加密连接发送至身份核验服务（腾讯云慧眼），与您身份证登记的照片进行比对。</translation>
    </message>
    <message>
        <source>Nothing is stored on this kiosk. Photos, your name and your ID number are erased as soon as you finish or walk away.</source>
        <translation>本机不保存任何信息。您完成或离开后，照片、姓名和身份证号码会立即清除。</translation>
    </message>
    <message>
        <source>You can stop at any time, or ask a member of staff to check your card instead.</source>
        <translation>您可以随时停止，也可以请工作人员人工核验证件。</translation>
    </message>
    <message>
        <source>I agree, continue</source>
        <translation>同意并继续</translation>
    </message>
    <message>
        <source>No, thanks</source>
        <translation>不同意</translation>
    </message>
</context>
<context>
    <name>HeaderControls</name>
    <message>
        <source>Repeat</source>
        <translation>重听</translation>
    </message>
    <message>
        <source>Large text</source>
        <translation>大字体</translation>
    </message>
</context>
<context>
    <name>Hints</name>
    <message>
        <source>Hold still, the picture is blurry</source>
        <extracomment>``hint.&lt;problem code&gt;`` -&gt; English hint (context &quot;Hints&quot;): what the customer should do now.</extracomment>
        <translation>请保持不动，画面模糊</translation>
    </message>
    <message>
        <source>It is too dark, please move into the light</source>
        <translation>光线太暗，请移到明亮处</translation>
    </message>
    <message>
        <source>Too bright: move out of direct light</source>
        <translation>光线太强，请避开直射光</translation>
    </message>
    <message>
        <source>Tilt the card a little to get rid of the glare</source>
        <translation>请稍微倾斜证件，避免反光</translation>
    </message>
    <message>
        <source>Look at the camera</source>
        <translation>请看摄像头</translation>
    </message>
    <message>
        <source>Only one person in front of the camera, please</source>
        <translation>请确保镜头前只有一个人</translation>
    </message>
    <message>
        <source>Come a little closer</source>
        <translation>请靠近一点</translation>
    </message>
    <message>
        <source>Move back a little</source>
        <translation>请稍微后退</translation>
    </message>
    <message>
        <source>Put your face inside the oval</source>
        <translation>请将脸放在椭圆框内</translation>
    </message>
    <message>
        <source>Look straight at the camera</source>
        <translation>请正对摄像头</translation>
    </message>
    <message>
        <source>Make sure your eyes can be seen</source>
        <translation>请露出双眼</translation>
    </message>
    <message>
        <source>The picture is too small</source>
        <translation>画面太小</translation>
    </message>
    <message>
        <source>The picture could not be read</source>
        <translation>无法识别画面</translation>
    </message>
    <message>
        <source>Turn the card over to the photo side</source>
        <translation>请将证件翻到有照片的一面</translation>
    </message>
    <message>
        <source>Turn your head a little to your right</source>
        <translation>请把头稍向右转</translation>
    </message>
    <message>
        <source>Turn your head a little to your left</source>
        <translation>请把头稍向左转</translation>
    </message>
    <message>
        <source>Move a little to your left</source>
        <translation>请稍向左移动</translation>
    </message>
    <message>
        <source>Move a little to your right</source>
        <translation>请稍向右移动</translation>
    </message>
    <message>
        <source>Raise your head a little</source>
        <translation>请把头稍微抬高一点</translation>
    </message>
    <message>
        <source>Lower your head a little</source>
        <translation>请把头稍微放低一点</translation>
    </message>
    <message>
        <source>Move the card a little to your left</source>
        <translation>请将证件稍向左移</translation>
    </message>
    <message>
        <source>Move the card a little to your right</source>
        <translation>请将证件稍向右移</translation>
    </message>
    <message>
        <source>Move the card up a little</source>
        <translation>请将证件稍向上移</translation>
    </message>
    <message>
        <source>Move the card down a little</source>
        <translation>请将证件稍向下移</translation>
    </message>
    <message>
        <source>Captured</source>
        <translation>拍摄完成</translation>
    </message>
    <message>
        <source>Hold the photo side of your ID card up to the camera</source>
        <translation>请将身份证人像面对准摄像头</translation>
    </message>
    <message>
        <source>Show the whole card inside the frame</source>
        <translation>请将整张证件放入框内</translation>
    </message>
    <message>
        <source>Bring the card closer to the camera</source>
        <translation>请将证件靠近摄像头</translation>
    </message>
    <message>
        <source>Hold the card straight, facing the camera</source>
        <translation>请将证件摆正，正对摄像头</translation>
    </message>
    <message>
        <source>Hold still…</source>
        <translation>请保持不动…</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <source>For your privacy this session ends in %1 s.</source>
        <translation>为保护您的隐私，本次操作将在 %1 秒后结束。</translation>
    </message>
    <message>
        <source>I&apos;m still here</source>
        <translation>我还在</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Identity check</source>
        <translation>身份核验</translation>
    </message>
    <message>
        <source>Call staff</source>
        <translation>呼叫工作人员</translation>
    </message>
    <message>
        <source>Audit trail NOT being written: %1 (run kiosk doctor)</source>
        <translation>审计记录未能写入：%1（请运行 kiosk doctor）</translation>
    </message>
    <message>
        <source>The staff PIN hash is outdated: make a new one (kiosk doctor --hash-pin)</source>
        <translation>工作人员 PIN 的哈希已过时：请重新生成（kiosk doctor --hash-pin）</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Your identity has been verified.</source>
        <extracomment>message key -&gt; English text (context &quot;Messages&quot;).</extracomment>
        <translation>您的身份已核验通过。</translation>
    </message>
    <message>
        <source>The photo of your card was not sharp enough.</source>
        <translation>证件照片不够清晰。</translation>
    </message>
    <message>
        <source>The photo of your card was empty.</source>
        <translation>证件照片为空。</translation>
    </message>
    <message>
        <source>The ID number on your card could not be read correctly.</source>
        <translation>无法正确识别证件上的身份证号码。</translation>
    </message>
    <message>
        <source>The photo could not be processed.</source>
        <translation>无法处理该照片。</translation>
    </message>
    <message>
        <source>The photo was too large to send.</source>
        <translation>照片太大，无法发送。</translation>
    </message>
    <message>
        <source>Part of your card was outside the picture.</source>
        <translation>证件有部分在画面之外。</translation>
    </message>
    <message>
        <source>Something was covering part of your card.</source>
        <translation>证件有部分被遮挡。</translation>
    </message>
    <message>
        <source>The photo of your face had the wrong size.</source>
        <translation>人脸照片尺寸不合适。</translation>
    </message>
    <message>
        <source>The service could not confirm a live photo: check in person.</source>
        <translation>核验服务未能确认为现场拍摄的照片，请人工核验。</translation>
    </message>
    <message>
        <source>A photo of a screen or of a picture cannot be used.</source>
        <translation>不能使用翻拍的屏幕或照片。</translation>
    </message>
    <message>
        <source>The service flagged the card for a check in person (possible alteration).</source>
        <translation>核验服务提示该证件需人工核验（可能有改动）。</translation>
    </message>
    <message>
        <source>Your card needs to be checked by a member of staff.</source>
        <translation>您的证件需要由工作人员人工核验。</translation>
    </message>
    <message>
        <source>There is no photo on record for your ID number.</source>
        <translation>您的身份证号码没有登记照片。</translation>
    </message>
    <message>
        <source>The photo on record for your ID number is not clear enough.</source>
        <translation>您的身份证号码登记的照片不够清晰。</translation>
    </message>
    <message>
        <source>This ID number has been checked too often today.</source>
        <translation>该身份证号码今日核验次数过多。</translation>
    </message>
    <message>
        <source>The ID number is not valid.</source>
        <translation>身份证号码无效。</translation>
    </message>
    <message>
        <source>The name is not valid.</source>
        <translation>姓名无效。</translation>
    </message>
    <message>
        <source>The request could not be processed.</source>
        <translation>请求无法处理。</translation>
    </message>
    <message>
        <source>The comparison could not be completed.</source>
        <translation>比对未能完成。</translation>
    </message>
    <message>
        <source>The national records service is under maintenance.</source>
        <translation>身份信息查询服务正在维护。</translation>
    </message>
    <message>
        <source>A secure connection to the verification service failed.</source>
        <translation>与核验服务的安全连接失败。</translation>
    </message>
    <message>
        <source>The verification service gave an unexpected answer.</source>
        <translation>核验服务返回了异常结果。</translation>
    </message>
    <message>
        <source>The verification service reported an unexpected problem.</source>
        <translation>核验服务报告了未知问题。</translation>
    </message>
    <message>
        <source>This kiosk&apos;s clock is wrong.</source>
        <translation>本机时钟不正确。</translation>
    </message>
    <message>
        <source>This kiosk&apos;s service credentials are not valid.</source>
        <translation>本机的服务凭证无效。</translation>
    </message>
    <message>
        <source>This kiosk is not configured correctly.</source>
        <translation>本机配置有误。</translation>
    </message>
    <message>
        <source>This kiosk is out of service.</source>
        <translation>本机暂停服务。</translation>
    </message>
    <message>
        <source>This kiosk&apos;s service account cannot be used.</source>
        <translation>本机的服务账户无法使用。</translation>
    </message>
    <message>
        <source>This kiosk&apos;s service account is suspended.</source>
        <translation>本机的服务账户已停用。</translation>
    </message>
    <message>
        <source>A secure exchange with the service failed.</source>
        <translation>与服务的加密交换失败。</translation>
    </message>
    <message>
        <source>Your ID card needs to be checked by a member of staff.</source>
        <translation>您的身份证需要由工作人员核验。</translation>
    </message>
    <message>
        <source>This kiosk cannot check identities at the moment.</source>
        <translation>本机暂时无法进行身份核验。</translation>
    </message>
    <message>
        <source>Your card could not be read.</source>
        <translation>无法识别您的证件。</translation>
    </message>
    <message>
        <source>No ID card was found in the picture.</source>
        <translation>画面中没有找到身份证。</translation>
    </message>
    <message>
        <source>No face was found in the picture.</source>
        <translation>画面中没有检测到人脸。</translation>
    </message>
    <message>
        <source>More than one face was in the picture.</source>
        <translation>画面中有不止一张人脸。</translation>
    </message>
    <message>
        <source>The photo of your face was not clear enough.</source>
        <translation>人脸照片质量不够好。</translation>
    </message>
    <message>
        <source>Your face does not match the photo on record.</source>
        <translation>未能与您的登记照片比对成功。</translation>
    </message>
    <message>
        <source>The card photo does not match the photo on record.</source>
        <translation>证件照片与登记照片不一致。</translation>
    </message>
    <message>
        <source>The name and the ID number do not match the records.</source>
        <translation>姓名与身份证号码不一致。</translation>
    </message>
    <message>
        <source>Your card could not be accepted.</source>
        <translation>您的证件无法被接受。</translation>
    </message>
    <message>
        <source>A photocopy of a card cannot be used.</source>
        <translation>不能使用证件复印件。</translation>
    </message>
    <message>
        <source>A temporary ID card cannot be used here.</source>
        <translation>此处不能使用临时身份证。</translation>
    </message>
    <message>
        <source>Your ID number was not found in the national records.</source>
        <translation>未查询到您的身份证号码的登记信息。</translation>
    </message>
    <message>
        <source>Let&apos;s take your photo once more.</source>
        <translation>我们再为您拍一次照片。</translation>
    </message>
    <message>
        <source>The verification service cannot be reached.</source>
        <translation>无法连接身份核验服务。</translation>
    </message>
    <message>
        <source>The verification service did not answer in time.</source>
        <translation>身份核验服务响应超时。</translation>
    </message>
    <message>
        <source>The verification service is busy.</source>
        <translation>身份核验服务繁忙。</translation>
    </message>
    <message>
        <source>This kiosk has reached its daily limit of checks.</source>
        <translation>本机今日核验次数已达上限。</translation>
    </message>
    <message>
        <source>The photos could not be used after several tries.</source>
        <translation>多次尝试后照片仍无法使用。</translation>
    </message>
    <message>
        <source>A member of staff has been called.</source>
        <translation>已为您呼叫工作人员。</translation>
    </message>
</context>
<context>
    <name>OutOfServicePage</name>
    <message>
        <source>Temporarily out of service</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <source>Please see a member of staff at the counter.</source>
        <translation>请到柜台联系工作人员。</translation>
    </message>
    <message>
        <source>Staff: check the camera cable. The kiosk restarts by itself when the camera is back.</source>
        <translation>工作人员：请检查摄像头连接线。摄像头恢复后本机会自动恢复服务。</translation>
    </message>
</context>
<context>
    <name>Outcomes</name>
    <message>
        <source>Verified</source>
        <translation>核验通过</translation>
    </message>
    <message>
        <source>Not verified</source>
        <translation>核验未通过</translation>
    </message>
    <message>
        <source>Please see a member of staff</source>
        <translation>请联系工作人员</translation>
    </message>
    <message>
        <source>Service unavailable</source>
        <translation>服务暂不可用</translation>
    </message>
    <message>
        <source>Let&apos;s try the card again</source>
        <translation>请重新拍摄证件</translation>
    </message>
    <message>
        <source>Let&apos;s try the photo again</source>
        <translation>请重新拍照</translation>
    </message>
    <message>
        <source>You can continue at the counter.</source>
        <translation>请到柜台继续办理。</translation>
    </message>
    <message>
        <source>Please see a member of staff at the counter.</source>
        <translation>请到柜台联系工作人员。</translation>
    </message>
    <message>
        <source>A member of staff will help you at the counter.</source>
        <translation>工作人员将在柜台为您办理。</translation>
    </message>
    <message>
        <source>Please visit your household registration office to update your record.</source>
        <translation>请到户籍所在地派出所户籍窗口更新您的信息。</translation>
    </message>
    <message>
        <source>Please try again in a few minutes or see a member of staff.</source>
        <translation>请几分钟后再试，或联系工作人员。</translation>
    </message>
    <message>
        <source>Hold your card up to the camera again.</source>
        <translation>请再次将证件对准摄像头。</translation>
    </message>
    <message>
        <source>Look at the camera again.</source>
        <translation>请再次看向摄像头。</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>PinPage</name>
    <message>
        <source>Staff only: enter PIN</source>
        <translation>仅限工作人员：请输入密码</translation>
    </message>
    <message>
        <source>Wrong PIN. %1 tries left.</source>
        <translation>密码错误，还可尝试 %1 次。</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Try again in %1 s.</source>
        <translation>错误的 PIN 次数过多。请在 %1 秒后重试。</translation>
    </message>
    <message>
        <source>No staff PIN is configured on this kiosk.</source>
        <translation>本机未设置工作人员密码。</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <source>Back to the start in %1 s</source>
        <translation>%1 秒后返回首页</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>再试一次</translation>
    </message>
    <message>
        <source>Staff: close</source>
        <translation>工作人员：关闭</translation>
    </message>
    <message>
        <source>Staff could not be called from this kiosk.</source>
        <translation>本机未能通知工作人员。</translation>
    </message>
    <message>
        <source>Please go to the counter, a member of staff will help you there.</source>
        <translation>请到柜台，工作人员会在那里为您办理。</translation>
    </message>
    <message>
        <source>Help is on the way</source>
        <translation>工作人员马上就到</translation>
    </message>
    <message>
        <source>Please wait here.</source>
        <translation>请在此稍候。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message>
        <source>a customer asked for help</source>
        <translation>有客户请求帮助</translation>
    </message>
    <message>
        <source>a customer asked for help (kiosk out of service)</source>
        <translation>有客户请求帮助（本机暂停服务中）</translation>
    </message>
    <message>
        <source>sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <source>delivered to the branch system</source>
        <translation>已送达网点系统</translation>
    </message>
    <message>
        <source>NOT delivered: go and help</source>
        <translation>未送达：请前往协助</translation>
    </message>
    <message>
        <source>no branch system configured</source>
        <translation>未配置网点系统</translation>
    </message>
    <message>
        <source>the service cannot be reached</source>
        <translation>无法连接核验服务</translation>
    </message>
    <message>
        <source>the service credentials are not accepted</source>
        <translation>核验服务不接受本机凭证</translation>
    </message>
    <message>
        <source>this kiosk&apos;s clock is wrong</source>
        <translation>本机时钟不正确</translation>
    </message>
    <message>
        <source>the service account cannot be used</source>
        <translation>核验服务账户不可用</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Customers cannot start: %1</source>
        <translation>客户无法开始：%1</translation>
    </message>
    <message>
        <source>Staff settings</source>
        <translation>工作人员设置</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Resolution delivered</source>
        <translation>实际分辨率</translation>
    </message>
    <message>
        <source>Camera frames / checks per second</source>
        <translation>摄像头帧率 / 每秒检测帧数</translation>
    </message>
    <message>
        <source>Thresholds</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>服务地址</translation>
    </message>
    <message>
        <source>Service health</source>
        <translation>服务状态</translation>
    </message>
    <message>
        <source>Service test</source>
        <translation>服务测试</translation>
    </message>
    <message>
        <source>Clock offset</source>
        <translation>时钟偏差</translation>
    </message>
    <message>
        <source>Open staff calls</source>
        <translation>待处理的呼叫</translation>
    </message>
    <message>
        <source>Recent outcomes</source>
        <translation>最近结果</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>测试中…</translation>
    </message>
    <message>
        <source>Reachable</source>
        <translation>可以连接</translation>
    </message>
    <message>
        <source>Not reachable</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>Not tested</source>
        <translation>未测试</translation>
    </message>
    <message>
        <source>Test the service</source>
        <translation>测试服务</translation>
    </message>
    <message>
        <source>Calls answered</source>
        <translation>呼叫已处理</translation>
    </message>
    <message>
        <source>Back to customers</source>
        <translation>返回客户界面</translation>
    </message>
    <message>
        <source>Exit the kiosk</source>
        <translation>退出程序</translation>
    </message>
    <message>
        <source>Exit the kiosk? Customers cannot use it until it is started again.</source>
        <translation>确定退出本机？重新启动前客户将无法使用。</translation>
    </message>
    <message>
        <source>Yes, exit</source>
        <translation>确定退出</translation>
    </message>
    <message>
        <source>No, stay</source>
        <translation>不，返回</translation>
    </message>
</context>
<context>
    <name>StepDots</name>
    <message>
        <source>ID card</source>
        <translation>身份证</translation>
    </message>
    <message>
        <source>Face photo</source>
        <translation>人脸拍照</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <translation>第 %1 步，共 %2 步：%3</translation>
    </message>
</context>
<context>
    <name>VerifyingPage</name>
    <message>
        <source>Checking, please wait…</source>
        <translation>正在核验，请稍候…</translation>
    </message>
    <message>
        <source>Reading your ID card</source>
        <translation>正在读取身份证</translation>
    </message>
    <message>
        <source>Comparing your face with the record</source>
        <translation>正在与登记照片比对</translation>
    </message>
    <message>
        <source>This is taking longer than usual. If you need help, touch &quot;Call staff&quot;.</source>
        <translation>比平时慢一些。如需帮助，请点击“呼叫工作人员”。</translation>
    </message>
    <message>
        <source>This usually takes a few seconds.</source>
        <translation>通常只需几秒钟。</translation>
    </message>
</context>
<context>
    <name>Voice</name>
    <message>
        <source>To start, touch the screen or press Enter.</source>
        <translation>开始请触摸屏幕或按确认键。</translation>
    </message>
    <message>
        <source>To agree and continue, press Enter. To stop, choose No, thanks.</source>
        <translation>同意并继续请按确认键。如不想继续，请选择“不同意”。</translation>
    </message>
    <message>
        <source>If you need more time, touch the screen or press Enter.</source>
        <translation>如需更多时间，请触摸屏幕或按确认键。</translation>
    </message>
    <message>
        <source>To send the same photos again, choose Try again.</source>
        <translation>如需用同样的照片再核验一次，请选择“再试一次”。</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Identity check</source>
        <translation>身份核验</translation>
    </message>
    <message>
        <source>Verify yourself with your resident ID card in about one minute</source>
        <translation>使用居民身份证，约一分钟完成身份核验</translation>
    </message>
    <message>
        <source>Touch to start</source>
        <translation>点击开始</translation>
    </message>
    <message>
        <source>Identity checks are temporarily unavailable. Please see a member of staff.</source>
        <translation>身份核验暂时无法使用，请联系工作人员。</translation>
    </message>
    <message>
        <source>No problem: a member of staff at the counter can check your ID card instead.</source>
        <translation>没关系，柜台工作人员可以为您人工核验身份证。</translation>
    </message>
    <message>
        <source>1. Show the photo side of your ID card</source>
        <translation>1. 出示身份证人像面</translation>
    </message>
    <message>
        <source>2. Look at the camera</source>
        <translation>2. 看向摄像头</translation>
    </message>
    <message>
        <source>3. Done: your identity is checked</source>
        <translation>3. 完成：身份核验结束</translation>
    </message>
</context>
</TS>
