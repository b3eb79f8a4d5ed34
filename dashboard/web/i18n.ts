export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const vi = {
  'app.title': 'Trung tâm điều hành CityOps',
  'app.city': 'TP. Hồ Chí Minh',
  'login.title': 'Đăng nhập',
  'login.username': 'Tên đăng nhập',
  'login.password': 'Mật khẩu',
  'login.submit': 'Đăng nhập',
  'login.failed': 'Sai tên đăng nhập hoặc mật khẩu.',
  'login.error': 'Không thể đăng nhập. Vui lòng thử lại.',
  'app.signOut': 'Đăng xuất',
  'app.language': 'English',
  'conn.connected': 'Đã kết nối',
  'conn.reconnecting': 'Đang kết nối lại…',
  'conn.offline': 'Mất kết nối',
  'role.viewer': 'Người xem',
  'role.operator': 'Điều hành viên',
  'role.admin': 'Quản trị viên',
  'domain.traffic': 'Giao thông',
  'domain.flood': 'Ngập nước',
  'domain.air': 'Không khí',
  'severity.info': 'Thông tin',
  'severity.minor': 'Nhẹ',
  'severity.major': 'Nghiêm trọng',
  'severity.critical': 'Khẩn cấp',
  'alerts.title': 'Cảnh báo đang mở',
  'alerts.empty': 'Không có cảnh báo đang mở.',
  'alerts.ack': 'Xác nhận',
  'alerts.ackConfirm': 'Gửi xác nhận',
  'alerts.cancel': 'Hủy',
  'alerts.comment': 'Ghi chú (không bắt buộc)',
  'alerts.ackedBy': 'Đã xác nhận bởi {by}',
  'alerts.ackFailed': 'Không thể xác nhận cảnh báo.',
  'legend.title': 'Lớp cảm biến',
  'legend.offline': 'Mất kết nối',
  'legend.noData': 'Chưa có dữ liệu',
  'legend.traffic.0': 'Thông thoáng',
  'legend.traffic.1': 'Chậm',
  'legend.traffic.2': 'Ùn ứ',
  'legend.traffic.3': 'Kẹt xe',
  'legend.flood.0': '< 10 cm',
  'legend.flood.1': '10–30 cm',
  'legend.flood.2': '30–50 cm',
  'legend.flood.3': '≥ 50 cm',
  'legend.air.0': 'Tốt (≤ 12)',
  'legend.air.1': 'Trung bình (≤ 35)',
  'legend.air.2': 'Kém (≤ 55)',
  'legend.air.3': 'Xấu (≤ 150)',
  'legend.air.4': 'Rất xấu (> 150)',
  'legend.hotspot': 'Điểm ngập (PC08)',
  'popup.district': 'Quận/Huyện',
  'popup.road': 'Tuyến đường',
  'popup.updated': 'Cập nhật',
  'popup.noData': 'Chưa có dữ liệu',
  'popup.offline': 'Cảm biến mất kết nối',
  'popup.hotspot': 'Điểm ngập',
  'popup.cause.rain': 'Do mưa',
  'popup.cause.tide': 'Do triều cường',
  'field.speedKmh': 'Tốc độ',
  'field.volume': 'Lưu lượng',
  'field.occupancyPct': 'Độ chiếm dụng',
  'field.waterLevelCm': 'Mực nước',
  'field.rainfallMm': 'Lượng mưa',
  'field.batteryV': 'Pin',
  'field.pm25': 'PM2.5',
  'field.pm10': 'PM10',
  'field.no2': 'NO₂',
  'field.o3': 'O₃',
  'field.tempC': 'Nhiệt độ',
  'field.humidityPct': 'Độ ẩm',
  'panel.close': 'Đóng',
  'panel.history': 'Lịch sử',
  'panel.zoomHint': 'Kéo trên biểu đồ để phóng to, nhấp đúp để thu nhỏ. Đường nét đứt: ngưỡng cảnh báo.',
  'range.6h': '6 giờ',
  'range.24h': '24 giờ',
  'range.7d': '7 ngày',
  'aqi.vn': 'VN_AQI',
  'aqi.us': 'US AQI',
  'replay.title': 'Xem lại',
  'replay.live': 'Trực tiếp',
  'replay.nowLive': 'Đang trực tiếp',
  'replay.banner': 'Đang xem lại lúc {at} — dữ liệu không trực tiếp',
  'announce.critical': 'Cảnh báo khẩn cấp mới',
  'announce.soundOn': 'Âm báo: bật',
  'announce.soundOff': 'Âm báo: tắt',
  'filter.domain': 'Lĩnh vực',
  'filter.state': 'Trạng thái',
  'filter.district': 'Quận/Huyện',
  'filter.all': 'Tất cả',
  'state.active': 'Chưa xác nhận',
  'state.acknowledged': 'Đã xác nhận',
  'legend.airScheme': 'Tô màu lớp không khí',
  'legend.scheme.pm25': 'Theo PM2.5',
  'legend.scheme.vn': 'Theo VN_AQI',
  'legend.scheme.us': 'Theo US AQI',
  'legend.aqi.vn.0': 'Tốt (0–50)',
  'legend.aqi.us.0': 'Tốt (0–50)',
  'legend.aqi.vn.1': 'Trung bình (51–100)',
  'legend.aqi.us.1': 'Trung bình (51–100)',
  'legend.aqi.vn.2': 'Kém (101–150)',
  'legend.aqi.us.2': 'Không tốt cho nhóm nhạy cảm (101–150)',
  'legend.aqi.vn.3': 'Xấu (151–200)',
  'legend.aqi.us.3': 'Có hại cho sức khỏe (151–200)',
  'legend.aqi.vn.4': 'Rất xấu (201–300)',
  'legend.aqi.us.4': 'Rất có hại cho sức khỏe (201–300)',
  'legend.aqi.vn.5': 'Nguy hại (≥ 301)',
  'legend.aqi.us.5': 'Nguy hiểm (≥ 301)',
  'conn.stale': 'dữ liệu cũ ({min} phút)',
} as const;

export type MessageKey = keyof typeof vi;

const en: Record<MessageKey, string> = {
  'app.title': 'CityOps Operations Center',
  'app.city': 'Ho Chi Minh City',
  'login.title': 'Sign in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'Wrong username or password.',
  'login.error': 'Could not sign in. Please try again.',
  'app.signOut': 'Sign out',
  'app.language': 'Tiếng Việt',
  'conn.connected': 'Connected',
  'conn.reconnecting': 'Reconnecting…',
  'conn.offline': 'Disconnected',
  'role.viewer': 'Viewer',
  'role.operator': 'Operator',
  'role.admin': 'Administrator',
  'domain.traffic': 'Traffic',
  'domain.flood': 'Flooding',
  'domain.air': 'Air quality',
  'severity.info': 'Info',
  'severity.minor': 'Minor',
  'severity.major': 'Major',
  'severity.critical': 'Critical',
  'alerts.title': 'Open alerts',
  'alerts.empty': 'No open alerts.',
  'alerts.ack': 'Acknowledge',
  'alerts.ackConfirm': 'Send acknowledgement',
  'alerts.cancel': 'Cancel',
  'alerts.comment': 'Comment (optional)',
  'alerts.ackedBy': 'Acknowledged by {by}',
  'alerts.ackFailed': 'Could not acknowledge the alert.',
  'legend.title': 'Sensor layers',
  'legend.offline': 'Offline',
  'legend.noData': 'No data yet',
  'legend.traffic.0': 'Free flow',
  'legend.traffic.1': 'Slow',
  'legend.traffic.2': 'Congested',
  'legend.traffic.3': 'Jammed',
  'legend.flood.0': '< 10 cm',
  'legend.flood.1': '10–30 cm',
  'legend.flood.2': '30–50 cm',
  'legend.flood.3': '≥ 50 cm',
  'legend.air.0': 'Good (≤ 12)',
  'legend.air.1': 'Moderate (≤ 35)',
  'legend.air.2': 'Unhealthy for some (≤ 55)',
  'legend.air.3': 'Unhealthy (≤ 150)',
  'legend.air.4': 'Very unhealthy (> 150)',
  'legend.hotspot': 'Flood hotspot (PC08)',
  'popup.district': 'District',
  'popup.road': 'Road',
  'popup.updated': 'Updated',
  'popup.noData': 'No data yet',
  'popup.offline': 'Sensor offline',
  'popup.hotspot': 'Flood hotspot',
  'popup.cause.rain': 'Rain',
  'popup.cause.tide': 'Tide',
  'field.speedKmh': 'Speed',
  'field.volume': 'Volume',
  'field.occupancyPct': 'Occupancy',
  'field.waterLevelCm': 'Water level',
  'field.rainfallMm': 'Rainfall',
  'field.batteryV': 'Battery',
  'field.pm25': 'PM2.5',
  'field.pm10': 'PM10',
  'field.no2': 'NO₂',
  'field.o3': 'O₃',
  'field.tempC': 'Temperature',
  'field.humidityPct': 'Humidity',
  'panel.close': 'Close',
  'panel.history': 'History',
  'panel.zoomHint': 'Drag across the chart to zoom in, double-click to zoom out. Dashed lines: alert thresholds.',
  'range.6h': '6 h',
  'range.24h': '24 h',
  'range.7d': '7 days',
  'aqi.vn': 'VN_AQI',
  'aqi.us': 'US AQI',
  'replay.title': 'Replay',
  'replay.live': 'Live',
  'replay.nowLive': 'Live now',
  'replay.banner': 'Replaying {at} — not live data',
  'announce.critical': 'New critical alert',
  'announce.soundOn': 'Sound: on',
  'announce.soundOff': 'Sound: off',
  'filter.domain': 'Domain',
  'filter.state': 'State',
  'filter.district': 'District',
  'filter.all': 'All',
  'state.active': 'Unacknowledged',
  'state.acknowledged': 'Acknowledged',
  'legend.airScheme': 'Air layer colouring',
  'legend.scheme.pm25': 'By PM2.5',
  'legend.scheme.vn': 'By VN_AQI',
  'legend.scheme.us': 'By US AQI',
  'legend.aqi.vn.0': 'Good (0–50)',
  'legend.aqi.us.0': 'Good (0–50)',
  'legend.aqi.vn.1': 'Moderate (51–100)',
  'legend.aqi.us.1': 'Moderate (51–100)',
  'legend.aqi.vn.2': 'Poor (101–150)',
  'legend.aqi.us.2': 'Unhealthy for Sensitive Groups (101–150)',
  'legend.aqi.vn.3': 'Bad (151–200)',
  'legend.aqi.us.3': 'Unhealthy (151–200)',
  'legend.aqi.vn.4': 'Very bad (201–300)',
  'legend.aqi.us.4': 'Very Unhealthy (201–300)',
  'legend.aqi.vn.5': 'Hazardous (≥ 301)',
  'legend.aqi.us.5': 'Hazardous (≥ 301)',
  'conn.stale': 'data stale ({min} min)',
};

const TABLES: Record<Language, Record<MessageKey, string>> = { vi, en };
const STORAGE_KEY = 'cityops.lang';

function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'vi' || stored === 'en') return stored;
  } catch {
    // Storage can be disabled by policy; Vietnamese is the control room's default anyway.
  }
  return 'vi';
}

let current: Language = initialLanguage();
const listeners = new Set<(lang: Language) => void>();

export const language = (): Language => current;

export function setLanguage(lang: Language): void {
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // See initialLanguage.
  }
  for (const listener of listeners) listener(lang);
}

export function onLanguageChange(listener: (lang: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey, params: Record<string, string> = {}): string {
  return TABLES[current][key].replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}

/** Key lookup for values that arrive at run time (domains, severities, fields). */
export function tryT(key: string): string | undefined {
  return (TABLES[current] as Record<string, string>)[key];
}
