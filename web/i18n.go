package web

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// messages holds every text of the UI in English and Russian.
var messages = map[string]map[string]string{
	"en": {
		"app": "Conveyor", "signin": "Sign in", "signout": "Sign out", "login": "Login", "password": "Password",
		"badlogin": "Wrong login or password", "mywork": "My work", "processes": "Processes",
		"new": "New", "overdue": "Overdue", "stage": "Stage", "client": "Client", "planned": "Planned start",
		"due": "Deadline", "state": "State", "assignee": "Executor", "progress": "Progress", "definition": "Conveyor",
		"nowork": "No open work. Well done!", "complete": "Complete", "history": "History", "who": "Who",
		"when": "When", "data": "Data", "next": "Next executor", "choose": "choose…", "done": "Done",
		"nextcame": "Next", "for": "for", "ended": "The process reached its end", "filter": "Filter",
		"any": "any", "onlyoverdue": "only overdue", "more": "More", "cancel": "Cancel the process",
		"reassign": "Hand over to", "notfound": "Not found", "notfoundtext": "There is nothing here you may see.",
		"required": "required", "gantt": "Timeline", "invalid": "Please correct the marked fields.",
		"conflict": "This work item is no longer open.", "lang": "Русский", "started": "Started", "item": "Work item",
		"state.attention": "new", "state.in_progress": "in progress", "state.done": "done", "state.cancelled": "cancelled",
		"state.running": "running", "state.completed": "completed", "state.failed": "failed",
		"open": "Open", "back": "Back to my work", "save": "Hand over", "note": "Note",
		"again": "The sign-in form expired; please sign in again.",
		"sort":  "Order", "sort.-startedAt": "newest first", "sort.startedAt": "oldest first",
		"sort.due": "deadline soonest", "sort.-due": "deadline latest",
		"needsattention": "Needs attention:", "attentionbadge": "needs attention", "moveon": "Move on", "moveto": "To stage or end", "end": "end",
		"moveonhint": "Closes the open work item and opens the chosen stage for the chosen executor, or ends the process, without running the conveyor's rules.",
	},
	"ru": {
		"app": "Конвейер", "signin": "Войти", "signout": "Выйти", "login": "Логин", "password": "Пароль",
		"badlogin": "Неверный логин или пароль", "mywork": "Мои дела", "processes": "Процессы",
		"new": "Внимание", "overdue": "Просрочено", "stage": "Этап", "client": "Клиент", "planned": "Плановое начало",
		"due": "Срок", "state": "Состояние", "assignee": "Исполнитель", "progress": "Выполнено", "definition": "Конвейер",
		"nowork": "Открытых дел нет.", "complete": "Завершить", "history": "История", "who": "Кто",
		"when": "Когда", "data": "Данные", "next": "Следующий исполнитель", "choose": "выберите…", "done": "Готово",
		"nextcame": "Дальше", "for": "для", "ended": "Процесс завершён", "filter": "Отобрать",
		"any": "любое", "onlyoverdue": "только просроченные", "more": "Ещё", "cancel": "Отменить процесс",
		"reassign": "Передать", "notfound": "Не найдено", "notfoundtext": "Здесь нет ничего, что вам можно видеть.",
		"required": "обязательно", "gantt": "Диаграмма Ганта", "invalid": "Исправьте отмеченные поля.",
		"conflict": "Эта работа уже закрыта.", "lang": "English", "started": "Начато", "item": "Работа с клиентом",
		"state.attention": "внимание", "state.in_progress": "в работе", "state.done": "выполнено", "state.cancelled": "отменено",
		"state.running": "идёт", "state.completed": "завершён", "state.failed": "сбой",
		"open": "Открыть", "back": "К моим делам", "save": "Передать", "note": "Комментарий",
		"again": "Форма входа устарела; войдите ещё раз.",
		"sort":  "Порядок", "sort.-startedAt": "сначала новые", "sort.startedAt": "сначала старые",
		"sort.due": "ближайший срок", "sort.-due": "дальний срок",
		"needsattention": "Требует внимания:", "attentionbadge": "требует внимания", "moveon": "Продвинуть", "moveto": "На этап или завершение", "end": "завершение",
		"moveonhint": "Закрывает открытую работу и открывает выбранный этап для выбранного исполнителя или завершает процесс, не выполняя правил конвейера.",
	},
}

// addMessages adds the texts of one part of the UI (each page file keeps
// its own, in both languages).
func addMessages(add map[string]map[string]string) {
	for lang, m := range add {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}

// language is the UI language: the "lang" cookie, else the browser's
// preference between Russian and English.
func language(c *gin.Context) string {
	if l, err := c.Cookie("lang"); err == nil && messages[l] != nil {
		return l
	}
	for _, part := range strings.Split(c.GetHeader("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "ru"):
			return "ru"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

func translate(lang, key string) string {
	if m, ok := messages[lang][key]; ok {
		return m
	}
	return key
}
